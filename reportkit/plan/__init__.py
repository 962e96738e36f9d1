"""The copy plan: which cross-region copies would bring every eligible boot volume to ``covered``.

:func:`make_plan` (:mod:`~reportkit.plan.planner`, pure) turns an Assessment into a
:class:`CopyPlan` (:mod:`~reportkit.plan.model`); :mod:`~reportkit.plan.files` saves and loads it.
Only :mod:`reportkit.copy` ever executes a plan.
"""
from __future__ import annotations

from reportkit.plan.files import export_plan_csv, load_plan, read_kms_key_map, save_plan
from reportkit.plan.model import (
    PLAN_FORMAT,
    PLAN_FORMAT_VERSION,
    CopyPlan,
    IamCheck,
    PlanSummary,
    assign_waves,
    copy_cli_command,
    entry_id_for,
    plan_id_of,
    retry_token_for,
    summarize_plan,
)
from reportkit.plan.planner import ANY_REGION, iam_check_for_group, make_plan, normalise_kms_key_map

__all__ = ["ANY_REGION", "PLAN_FORMAT", "PLAN_FORMAT_VERSION", "CopyPlan", "IamCheck", "PlanSummary", "assign_waves",
           "copy_cli_command", "entry_id_for", "export_plan_csv", "iam_check_for_group", "load_plan", "make_plan",
           "normalise_kms_key_map", "plan_id_of", "read_kms_key_map", "retry_token_for", "save_plan",
           "summarize_plan"]
