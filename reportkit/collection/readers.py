"""One collection run's state and its readers: a method per OCI list or get, each turning checked answers into rows.

The run (:mod:`reportkit.collection.run`) queues the readers on the region scheduler; each reader
checks every record against its SDK shape (:mod:`~reportkit.collection.wire`), appends rows (built
by name, :mod:`~reportkit.collection.rows`) and queues the follow-up reads its answers imply (a boot
volume's policy assignment, a new image, a Marketplace listing, the volume groups of a compartment
holding boot volumes: :mod:`~reportkit.collection.protection`). Failures never stop the run: each
becomes one ``errors`` row, and so does every record without an id (never a row) and every bad
field of a kept record (``BadField``, plus one ``DamagedRecords`` gap row per listing when the field
can change a verdict).
"""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

import pandas as pd

from reportkit.collection import rows as R
from reportkit.collection import wire
from reportkit.collection.calls import CallFailed, OciCaller, Stopped, wrong_shape
from reportkit.collection.options import utc_now
from reportkit.collection.pacing import RegionScheduler
from reportkit.collection.protection import ProtectionReaders
from reportkit.collection.search import SearchReaders
from reportkit.collection.wire import Problem, Shape
from reportkit.regions import region_name
from reportkit.schema import INVENTORY_TABLES, AssetType

_NO_POLICY_STATES = {"TERMINATING", "TERMINATED"}

class Collection(SearchReaders, ProtectionReaders):
    """One run's state: rows per table, errors, de-duplication sets, progress, the stop switch."""

    def __init__(self, caller: OciCaller, *, workers: int, per_region: int, progress: bool,
                 clock: Callable[[], pd.Timestamp] = utc_now) -> None:
        self.caller = caller
        self.clock = clock
        self.rows: dict[str, list[tuple]] = {name: [] for name in INVENTORY_TABLES}
        self.images: dict[str, dict[str, Any]] = {}
        self._image_region: dict[str, str] = {}
        self._policies: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._open: Counter = Counter()
        self._units_done = 0
        self._region_open: Counter = Counter()
        self._damaged: set[tuple[str, str | None, str]] = set()
        self.regions_done: set[str] = set()
        self.list_ok = 0
        self.scheduler = RegionScheduler(workers, per_region, self._crashed, pacer=caller.pacer)
        caller.prepaid = self.scheduler.prepaid
        self.progress = progress
        self.bar: Any = None
        self.ready_regions: set[str] = set()
        self.chosen: list[str] = []
        self.key_to_region: dict[str, str] = {}
        self.lists_made = 0
        self.interrupted = False
        self.plan: list[tuple[str, str | None, str, Any, tuple]] = []  # the first reads, in queueing order
        self.planned_done = 0  # how many of them were queued
        # Resource Search pre-filter: what it did per region (see search_region)
        self.searched: set[tuple[str, str]] = set()  # (region, list operation) vouched by a search
        self.search_fallbacks: dict[str, list[str]] = {}
        self.skipped: dict[tuple[str, str], set[str]] = {}  # (region, list operation) -> compartments
        self.init_protection()

    # ------------------------------------------------------------------------------ plumbing
    def submit(self, region: str, unit: tuple[str, ...] | None, operation: str, fn: Callable[..., None],
               *args: Any, compartment: str | None = None, resource: str | None = None) -> None:
        with self._lock:
            if unit is not None:
                self._open[unit] += 1
            self._region_open[region] += 1
        if not self.scheduler.submit(region, self._run, region, unit, operation, compartment, resource, fn, args,
                                     stream=operation):
            self._interrupted(region, compartment, operation, resource)
            self._finished(region, unit)

    def _run(self, region: str, unit: tuple[str, ...] | None, operation: str, compartment: str | None,
             resource: str | None, fn: Callable[..., None], args: tuple) -> None:
        try:
            fn(*args)
        except CallFailed as exc:
            self.error(region, compartment, exc.operation, resource, exc.http_status, exc.code, exc.message,
                       exc.opc_request_id)
        except Stopped:
            self._interrupted(region, compartment, operation, resource)
        except Exception as exc:  # noqa: BLE001 - a bug on one record must not lose the run; it is recorded
            self.error(region, compartment, operation, resource, None, type(exc).__name__, str(exc)[:300], None)
        finally:
            self._finished(region, unit)

    def _interrupted(self, region: str, compartment: str | None, operation: str, resource: str | None) -> None:
        key = (region, compartment or "", operation, resource or "")
        with self._lock:
            if key in self._damaged:
                return
            self._damaged.add(key)  # type: ignore[arg-type]  # one row per read not done
        self.error(region, compartment, operation, resource, None, "Interrupted",
                   "not read: the collection was interrupted (Ctrl-C)", None)

    def stop(self) -> None:
        """Stop the run now: requests in flight are cut off, queued reads are dropped; every read not
        done becomes an ``Interrupted`` errors row (a gap, never an empty compartment)."""
        self.interrupted = True
        self.caller.stop()
        for region, compartment, operation, _, _ in self.plan[self.planned_done:]:
            self._interrupted(region, compartment, operation, None)  # planned, never queued
        for region, args in self.scheduler.stop():
            _, unit, operation, compartment, resource, _, _ = args
            self._interrupted(str(region), compartment, operation, resource)
            self._finished(str(region), unit)

    def _finished(self, region: str, unit: tuple[str, ...] | None) -> None:
        with self._lock:
            if unit is not None:
                self._open[unit] -= 1
                if self._open[unit] == 0:
                    self._units_done += 1
                    if self.bar is not None:
                        self.bar.update(1)
            self._region_open[region] -= 1
            if self._region_open[region] == 0:
                self.regions_done.add(region)
            if self.bar is not None:
                stats = self.caller.stats
                self.bar.set_postfix_str(
                    f"regions {len(self.regions_done)}/{len(self.ready_regions)} "
                    f"backups {len(self.rows['backups'])} volumes {len(self.rows['boot_volumes'])} "
                    f"calls {stats['calls']} retries {stats['retries']} errors {len(self.rows['errors'])}",
                    refresh=False)

    def _crashed(self, region: Any, exc: BaseException) -> None:
        self.error(str(region), None, "internal", None, None, type(exc).__name__, str(exc)[:300], None)

    def error(self, region: str | None, compartment: str | None, operation: str, resource: str | None,
              status: int | None, code: str | None, message: str | None, request_id: str | None, *,
              field: str | None = None, raw: str | None = None) -> None:
        row = R.error_row(region=region, compartment_id=compartment, operation=operation, resource_id=resource,
                          http_status=status, code=code, message=message, opc_request_id=request_id,
                          time=self.clock().isoformat(), field=field, raw_value=raw)
        with self._lock:
            self.rows["errors"].append(row)

    # ------------------------------------------------------------------------------ checked records
    def accept(self, shape: Shape, items: Sequence[Any], region: str, compartment: str | None,
               operation: str) -> list[dict[str, Any]]:
        """The usable records of one page, each checked against ``shape``; a record without an id is an
        errors row (a gap of that compartment: something there was not read), a bad field is reported."""
        out = []
        for item in items:
            values, problems = wire.check(shape, item)
            if values is None:
                first = problems[0]
                self.error(region, compartment, operation, None, 200,
                           "RecordWithoutId" if first.field else "WrongShape",
                           f"{first.reason}: the record was not kept", None, field=first.field, raw=first.raw)
                continue
            if problems:
                self.bad_fields(region, values.get("compartmentId") or compartment, operation,
                                values[shape.id_field], shape, problems)
            out.append(values)
        return out

    def bad_fields(self, region: str | None, compartment: str | None, operation: str, record: str | None,
                   shape: Shape | None, problems: Sequence[Problem]) -> None:
        """One ``BadField`` row per problem (the record is kept with those fields empty), and one
        ``DamagedRecords`` gap row for the listing when a field can change a verdict."""
        for p in problems:
            self.error(region, compartment, operation, record, 200, "BadField",
                       f"record kept with {p.field} empty: {p.reason}", None, field=p.field, raw=p.raw)
        if shape is None or any(p.field is None or not shape.cosmetic(p.field) for p in problems):
            self.damaged(region, compartment, operation)

    def damaged(self, region: str | None, compartment: str | None, operation: str) -> None:
        """One ``DamagedRecords`` row per listing whose records had a field a verdict depends on unread:
        a gap of that (region, compartment), so what those fields decide is unknown."""
        key = (region or "", compartment, operation)
        with self._lock:
            new = key not in self._damaged
            self._damaged.add(key)
        if new:
            self.error(region, compartment, operation, None, 200, "DamagedRecords",
                       f"records read by {operation} had fields that could not be read (the BadField and "
                       "FutureTime rows): what they decide is unknown", None)

    def single(self, shape: Shape, data: Any, headers: dict[str, str], operation: str,
               what: str) -> tuple[dict[str, Any], list[Problem]]:
        """The values of a Get answer; raises :class:`CallFailed` for a wrong shape or a record without an id."""
        values, problems = wire.check(shape, data)
        if values is None:
            if isinstance(data, dict):
                raise CallFailed(operation, 200, "RecordWithoutId", f"{problems[0].reason}", None)
            raise wrong_shape(operation, what, data, headers)
        return values, problems

    # ------------------------------------------------------------------------------ readers
    def list_region(self, region: str, operation: str, compartments: Sequence[str]) -> None:
        """Queue ``operation`` (ListBootVolumeBackups or ListBootVolumes) for each compartment."""
        reader = self.list_volumes if operation == "ListBootVolumes" else self.list_backups
        with self._lock:
            self.lists_made += len(compartments)
        for cid in compartments:
            self.submit(region, (region, cid, operation), operation, reader, region, cid, compartment=cid)

    def list_backups(self, region: str, compartment: str) -> None:
        found = 0
        try:
            for page in self.caller.pages("blockstorage", region, "ListBootVolumeBackups", "/bootVolumeBackups",
                                          {"compartmentId": compartment}):
                found += len(page)
                for values in self.accept(wire.BOOT_VOLUME_BACKUP, page, region, compartment, "ListBootVolumeBackups"):
                    self.rows["backups"].append(R.backup_row(values, region))
                    self.note_image(values["imageId"], region)
                    self.note_group_backup(region, values)
        except CallFailed:
            self.after_backups(region, compartment, failed=True, found=found)
            raise
        with self._lock:
            self.list_ok += 1
        self.after_backups(region, compartment, failed=False, found=found)

    def list_volumes(self, region: str, compartment: str) -> None:
        unit = (region, compartment, "ListBootVolumes")  # its assignment calls finish the same unit
        found = 0
        try:
            for page in self.caller.pages("blockstorage", region, "ListBootVolumes", "/bootVolumes",
                                          {"compartmentId": compartment}):
                found += len(page)
                for values in self.accept(wire.BOOT_VOLUME, page, region, compartment, "ListBootVolumes"):
                    self.rows["boot_volumes"].append(self.volume_row(values, region, compartment))
                    self.note_image(values["imageId"], region)
                    if values["lifecycleState"] not in _NO_POLICY_STATES:
                        self.submit(region, unit, "GetVolumeBackupPolicyAssetAssignment", self.assignment, region,
                                    values["id"], AssetType.BOOT_VOLUME.value, compartment=compartment,
                                    resource=values["id"])
        except CallFailed:
            self.after_volumes(region, compartment, failed=True, found=found)
            raise
        with self._lock:
            self.list_ok += 1
        self.after_volumes(region, compartment, failed=False, found=found)

    def assignment(self, region: str, asset_id: str, asset_type: str) -> None:
        """The policy assignment of one boot volume or volume group. Anything but a well-formed answer about
        this asset fails the look-up (its ``errors`` row names the asset): a policy we could not read is
        unknown, never "none"."""
        operation = "GetVolumeBackupPolicyAssetAssignment"
        found: list[dict[str, Any]] = []
        for page in self.caller.pages("blockstorage", region, operation, "/volumeBackupPolicyAssignments",
                                      {"assetId": asset_id}):
            for item in page:
                values, problems = wire.check(wire.POLICY_ASSIGNMENT, item)
                if values is None or problems:
                    why = (problems or [Problem(None, "", "unreadable")])[0].reason
                    raise CallFailed(operation, 200, "WrongShape", f"the assignment of {asset_id} is unreadable: "
                                     f"{why}", None)
                if values["assetId"] != asset_id:
                    raise CallFailed(operation, 200, "WrongShape", f"asked for the assignment of {asset_id}, got "
                                     f"one of {values['assetId']}", None)
                found.append(values)
        if len(found) > 1:  # the SDK: "the returned list will contain at most one item"
            raise CallFailed(operation, 200, "WrongShape", f"{len(found)} assignments for {asset_id}; OCI assigns "
                             "at most one policy per asset", None)
        for values in found:
            with self._lock:
                self.rows["policy_assignments"].append(R.assignment_row(values, region, asset_type))
                policy = values["policyId"]
                new = (region, policy) not in self._policies
                self._policies.add((region, policy))
            if new:
                self.submit(region, None, "GetVolumeBackupPolicy", self.policy, region, policy, resource=policy)

    def policy(self, region: str, policy_id: str) -> None:
        data, headers = self.caller.call("blockstorage", region, "GetVolumeBackupPolicy",
                                         f"/volumeBackupPolicies/{quote(policy_id, safe='')}")
        values, problems = self.single(wire.BACKUP_POLICY, data, headers, "GetVolumeBackupPolicy",
                                       "a VolumeBackupPolicy JSON object")
        if any(not wire.BACKUP_POLICY.cosmetic(p.field or "") for p in problems):
            # a destination region we could not read must not read as "no destination"
            raise CallFailed("GetVolumeBackupPolicy", 200, "BadField", "; ".join(p.reason for p in problems), None)
        if problems:
            self.bad_fields(region, values["compartmentId"], "GetVolumeBackupPolicy", policy_id, wire.BACKUP_POLICY,
                            problems)
        with self._lock:
            self.rows["backup_policies"].append(R.backup_policy_row(values, region))

    def note_image(self, image_id: str | None, referenced_in: str) -> None:
        """Queue one GetImage per distinct image OCID (see the module docstring for the region rule)."""
        if not image_id:
            return
        with self._lock:
            if image_id in self._image_region:
                return
            region = self.image_region(image_id, referenced_in)
            self._image_region[image_id] = region
        self.submit(region, None, "GetImage", self.image, region, image_id, resource=image_id)

    def image_region(self, image_id: str, referenced_in: str) -> str:
        parts = image_id.split(".")
        if len(parts) >= 5 and parts[3]:
            named = region_name(parts[3])
            if named in self.ready_regions:
                return named
        return referenced_in

    def image(self, region: str, image_id: str) -> None:
        try:
            data, headers = self.caller.call("compute", region, "GetImage", f"/images/{quote(image_id, safe='')}")
            values, problems = self.single(wire.IMAGE, data, headers, "GetImage", "an Image JSON object")
            if any(not wire.IMAGE.cosmetic(p.field or "") for p in problems):
                raise CallFailed("GetImage", 200, "BadField", "; ".join(p.reason for p in problems), None)
        except CallFailed as exc:
            status = "not_found" if exc.http_status == 404 else "error"
            with self._lock:
                self.images[image_id] = R.image_row(None, image_id, region, status)
            if status == "error":
                raise
            # 404 = deleted or not visible: a fact about the image (lookup_status), not a failed read
            self.submit(region, None, "ListListings", self.listing, region, image_id, resource=image_id)
            return
        if problems:
            self.bad_fields(region, values["compartmentId"], "GetImage", image_id, wire.IMAGE, problems)
        with self._lock:
            self.images[image_id] = R.image_row(values, image_id, region, "ok")
        if values["baseImageId"]:
            self.note_image(values["baseImageId"], region)
        elif not values["compartmentId"]:
            self.submit(region, None, "ListListings", self.listing, region, image_id, resource=image_id)

    def listing(self, region: str, image_id: str) -> None:
        for page in self.caller.pages("marketplace", region, "ListListings", "/listings", {"imageId": image_id}):
            usable = [item for item in page if wire.check(wire.LISTING, item)[0] is not None]
            if len(usable) < len(page):
                raise CallFailed("ListListings", 200, "WrongShape", "a Marketplace listing without a usable id", None)
            if usable:
                with self._lock:
                    R.add_listing(self.images[image_id], usable[0])
                return

    def iam_policies(self, region: str, compartment: str) -> None:
        for page in self.caller.pages("identity", region, "ListPolicies", "/policies", {"compartmentId": compartment}):
            rows = [row for values in self.accept(wire.IAM_POLICY, page, region, compartment, "ListPolicies")
                    for row in R.iam_policy_rows(values)]
            with self._lock:
                self.rows["iam_policies"].extend(rows)
