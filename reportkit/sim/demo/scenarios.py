"""What each scenario does to protect (or fail to protect) its boot volume or volume group: backup
policies over time, scripted manual backups and copies (copies of copies too), moves, retention
locks, group backups and their copies, replicas. spec.SCENARIO_STATUS says what each must show."""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from reportkit.sim.demo.groups import Member, VolumeGroup, group_backup, group_copy_of
from reportkit.sim.demo.records import Backup, Hasher, Period, Policy, RetentionLock, Volume, policy_fires
from reportkit.sim.demo.replicas import new_replica
from reportkit.sim.demo.snapshot import copy_of, manual_backup

_LOCAL = ("gold", "silver", "bronze", "local-weekly", "nonprod")
# scripts delete what they made after this long (unless they stopped before)
_KEEP = timedelta(days=28)


@dataclass
class Context:
    """What planning a scenario needs from the tenancy plan."""

    rng: random.Random
    h: Hasher
    end: datetime
    spec: dict[str, Any]
    pairs: dict[str, str]
    vault_keys: dict[str, list[str]]
    ad_prefix: str
    path_to_id: dict[str, str]
    policies: dict[str, dict[str, Policy]]  # region -> policy kind -> policy
    active: list[str]  # regions that hold volumes
    planned: Counter[str] = field(default_factory=Counter)  # volumes planned so far, per scenario

    def options(self, scenario: str) -> dict[str, Any]:
        return self.spec.get("scenario_options", {}).get(scenario, {})

    def ordinal(self, scenario: str) -> int:
        """0 for the first volume of ``scenario`` planned, 1 for the next...: to alternate between variants."""
        self.planned[scenario] += 1
        return self.planned[scenario] - 1

    def other_region(self, region: str, exclude: tuple[str, ...] = ()) -> str:
        return self.rng.choice([r for r in self.active if r != region and r not in exclude])

    def ads(self, region: str) -> list[str]:
        reg = next(r for r in self.spec["regions"] if r["name"] == region)
        return [f"{self.ad_prefix}:{ad}" for ad in reg["ads"]]

    def dr_region(self, region: str) -> str:
        """The region's DR pair, else another region that holds volumes."""
        return self.pairs.get(region) or self.other_region(region)


def plan_protection(vol: Volume, ctx: Context) -> None:
    """Assign policies, copy behaviour, manual backups/copies and replicas for the volume's scenario."""
    s, rng, end = vol.scenario, ctx.rng, ctx.end
    pol = ctx.policies[vol.region]
    opts = ctx.options(s)
    assign_at = vol.created + timedelta(minutes=10)
    local = [k for k in _LOCAL if k in pol]
    xr = pol.get("xr-daily")

    def assign(kind: str | None) -> None:
        vol.periods = [Period(pol[kind], assign_at)] if kind else []

    if "group_size" in opts:
        assign(None)  # the group's policy protects them (plan_group_protection)
        vol.protection = "group"
    elif "policy" in opts:
        assign(opts["policy"])
        vol.protection = "policy_copy" if pol[opts["policy"]].destination else "none"
    elif s in ("policy_copy", "policy_copy_kms_downgrade", "policy_copy_dest_key", "copy_failed",
               "deleted_image_fresh_copy", "replica_and_copy"):
        assign("xr-daily")
        vol.protection = "policy_copy"
    elif s in ("no_backup", "no_backup_faulty", "no_backup_terminated", "provisioning"):
        assign(None)
    elif s.startswith("ineligible_") and s != "ineligible_with_replica" or s == "denied_compartment":
        assign(rng.choice(local + ["xr-daily"] * 2) if xr else rng.choice(local))
        vol.protection = "policy_copy" if vol.periods and vol.periods[0].policy.destination else "none"
    else:
        assign(rng.choice(local))

    if s == "policy_copy_kms_downgrade":
        vol.kms_key_id = ctx.vault_keys[vol.region][0]
    elif s == "policy_copy_dest_key":
        vol.kms_key_id = ctx.vault_keys[vol.region][0]
        vol.copy_kms_key_id = ctx.vault_keys[xr.destination][1]  # type: ignore[union-attr]
    elif s == "copy_failed":
        vol.copy_faulty = True

    def manual(t: datetime, *, name: str, deleted: datetime | None = None, faulty: bool = False) -> Backup:
        b = manual_backup(vol, ctx.h, t, name=name, deleted=deleted, faulty=faulty)
        vol.events.append(b)
        return b

    def copy(src: Backup, dest: str, t: datetime, *, deleted: datetime | None = None) -> Backup:
        c = copy_of(vol, src, dest, ctx.h, t, kms_key_id=None, faulty=False, manual=True)
        c.t_deleted = deleted
        vol.events.append(c)
        return c

    def script(route: list[str], interval_days: int, last: datetime, stop: datetime | None = None) -> None:
        """An ops script: every interval a manual FULL backup copied along ``route`` (each copy copied on to the
        next region); all deleted after 28 days. Copies are moved and locked as the scenario's options say."""
        t = last
        first = vol.created + timedelta(days=1)
        runs = 0
        move_to = ctx.path_to_id[opts["move_to"]] if "move_to" in opts else None
        while t >= first and runs < 30:
            del_at = t + _KEEP
            if stop is not None and del_at > stop:
                del_at = None
            prev = manual(t, name=f"xr-script {vol.name} {t:%Y-%m-%d}", deleted=del_at)
            for i, dest in enumerate(route, start=1):
                c = copy(prev, dest, prev.t_done + timedelta(minutes=2),
                         deleted=del_at + timedelta(minutes=i) if del_at else None)
                if move_to is not None:  # ChangeBootVolumeBackupCompartment once AVAILABLE
                    c.moved = (c.t_done + timedelta(minutes=10), move_to)
                if "lock_days" in opts:  # UpdateBootVolumeBackup sets the lock once AVAILABLE
                    c.lock = RetentionLock(c.t_done + timedelta(minutes=5), int(opts["lock_days"]))
                prev = c
            t -= timedelta(days=interval_days)
            runs += 1

    def replica(region: str, ad: str, **details: Any) -> None:
        created = vol.created + timedelta(days=rng.uniform(0.5, 2))
        vol.replicas.append(new_replica(ctx.h, "boot", vol.id, region, ad, vol.compartment_id,
                                        f"{vol.name} replica", vol.size, created, image_id=vol.image_id, **details))

    if s in ("manual_copy", "moved_copy", "retention_locked_copy"):
        vol.protection = "manual_copy"
        script([ctx.other_region(vol.region)], 7, end - timedelta(days=rng.uniform(1, 6)))
    elif s == "copy_in_progress":
        vol.protection = "manual_copy"
        script([ctx.other_region(vol.region)], 14, end - timedelta(minutes=rng.uniform(45, 60)))
        last_copy = vol.events[1]
        if rng.random() < 0.5:  # still queued: REQUEST_RECEIVED at as_of
            last_copy.t_created = end + timedelta(minutes=10)
            last_copy.t_done = end + timedelta(hours=3)
        else:
            last_copy.t_done = end + timedelta(hours=rng.uniform(1, 4))
    elif s == "manual_copy_stopped":
        vol.protection = "manual_copy"
        stop = end - timedelta(days=rng.uniform(15, 60))
        script([ctx.other_region(vol.region)], 7, stop - timedelta(days=rng.uniform(0, 6)), stop=stop)
    elif s == "late_copy_of_old_backup":
        vol.protection = "manual_copy"
        src = manual(end - timedelta(days=rng.uniform(12, 30)), name=f"pre-upgrade {vol.name}")
        copy(src, ctx.other_region(vol.region), end - timedelta(days=rng.uniform(1, 3)))
    elif s == "orphan_copy":
        vol.protection = "manual_copy"
        src = manual(end - timedelta(days=rng.uniform(35, 45)), name=f"one-off {vol.name}",
                     deleted=end - timedelta(days=rng.uniform(15, 25)))
        copy(src, ctx.other_region(vol.region), src.t_done + timedelta(minutes=5))
    elif s == "copy_terminated":
        src = manual(end - timedelta(days=rng.uniform(50, 70)), name=f"migration {vol.name}")
        copy(src, ctx.other_region(vol.region), src.t_done + timedelta(minutes=5),
             deleted=end - timedelta(days=rng.uniform(1, 2.5)))
    elif s == "copy_in_wrong_region":
        # Was on silver; moved to the copy policy 30 min ago (no scheduled backup since), while
        # a script copies to a region that is not the policy's destination.
        switch = end - timedelta(minutes=30)
        vol.periods = [Period(pol["silver"], assign_at, switch), Period(xr, switch)]  # type: ignore[arg-type]
        vol.protection = "policy_copy"
        script([ctx.other_region(vol.region, exclude=(xr.destination,))], 7,  # type: ignore[union-attr]
               end - timedelta(days=rng.uniform(1, 5)))
    elif s == "no_backup_faulty":
        manual(end - timedelta(days=rng.uniform(2, 20)), name=f"first backup {vol.name}", faulty=True)
    elif s == "no_backup_terminated":
        t = end - timedelta(days=rng.uniform(30, 60))
        manual(t, name=f"before-decommission {vol.name}", deleted=end - timedelta(days=rng.uniform(0.2, 2)))
    elif s in ("replica_only", "replica_and_copy", "ineligible_with_replica", "replica_faulty", "replica_lagging"):
        dest = ctx.dr_region(vol.region)
        if s == "replica_faulty":
            replica(dest, ctx.ads(dest)[0], faulty_at=end - timedelta(days=rng.uniform(1, 10)))
        elif s == "replica_lagging":  # stopped syncing (still AVAILABLE) more than an RPO ago
            replica(dest, ctx.ads(dest)[0], lag_since=end - timedelta(days=rng.uniform(9, 20)))
        else:
            replica(dest, ctx.ads(dest)[0])
        if s != "replica_and_copy":
            vol.protection = "replica"
    elif s == "replica_cross_ad":  # another AD of the volume's own region
        replica(vol.region, rng.choice([ad for ad in ctx.ads(vol.region) if ad != vol.ad]))
        vol.protection = "replica"
    elif s == "chain_fresh":
        vol.protection = "manual_copy"
        script(list(opts["route"][1:]), 7, end - timedelta(days=rng.uniform(1, 5)))
    elif s == "chain_old_backup":  # the "copy of a copy": a month-old backup copied on twice lately
        vol.protection = "manual_copy"
        root = manual(end - timedelta(days=rng.uniform(12, 30)), name=f"pre-upgrade {vol.name}")
        first = copy(root, opts["route"][1], end - timedelta(days=rng.uniform(1.5, 3)))
        copy(first, opts["route"][2], end - timedelta(days=rng.uniform(0.4, 1)))
    elif s == "chain_back_home":
        # Copied away and back home, then the copy away was deleted: recently (TERMINATED, still listed)
        # for every other volume, long enough ago to be gone for the rest.
        vol.protection = "manual_copy"
        gone = ctx.ordinal(s) % 2 == 1
        root = manual(end - timedelta(days=rng.uniform(6, 6.8) if gone else rng.uniform(2, 5)),
                      name=f"before-move {vol.name}")
        away = copy(root, opts["route"][1], root.t_done + timedelta(minutes=2))
        copy(away, opts["route"][2], away.t_done + timedelta(hours=rng.uniform(1, 6)))
        away.t_deleted = end - timedelta(days=rng.uniform(3.5, 4.5) if gone else rng.uniform(0.2, 1.5))
    elif s == "chain_terminated_middle":
        vol.protection = "manual_copy"
        root = manual(end - timedelta(days=rng.uniform(3, 5)), name=f"dr-drill {vol.name}")
        middle = copy(root, opts["route"][1], root.t_done + timedelta(minutes=2))
        copy(middle, opts["route"][2], middle.t_done + timedelta(hours=rng.uniform(0.5, 6)))
        middle.t_deleted = end - timedelta(days=rng.uniform(0.2, 1.5))
    elif s == "policy_to_subscribing_region":
        # Was on a local policy; moved minutes ago to a new policy copying to the region being subscribed.
        switch = end - timedelta(minutes=rng.uniform(5, 15))
        vol.periods = [Period(pol[rng.choice(local)], assign_at, switch), Period(pol[opts["policy"]], switch)]
        vol.protection = "policy_copy"

    # Ad-hoc extras that do not change the verdict: a kept manual backup, and a few in flight.
    if vol.periods and s not in ("copy_in_wrong_region", "policy_to_subscribing_region") and rng.random() < 0.15:
        manual(vol.created + timedelta(days=rng.uniform(0.5, 3)) if vol.created < end - timedelta(days=4)
               else vol.created + timedelta(hours=1), name=f"before-upgrade {vol.name}")
    if s == "no_copy_policy" and rng.random() < 0.12:
        roll = rng.random()
        if roll < 0.4:
            manual(end - timedelta(seconds=rng.uniform(5, 50)), name=f"adhoc {vol.name}")  # REQUEST_RECEIVED
        elif roll < 0.7:
            manual(end - timedelta(minutes=rng.uniform(2, 5)), name=f"adhoc {vol.name}")  # CREATING
        else:
            manual(end - timedelta(days=3), name=f"scratch {vol.name}", deleted=end - timedelta(minutes=20))


def plan_group_protection(group: VolumeGroup, ctx: Context, *, late: list[Volume]) -> None:
    """The group's policy, its scenario's scripts and replicas, and volumes that join it late."""
    rng, h, end = ctx.rng, ctx.h, ctx.end
    opts = ctx.options(group.scenario)
    policy = ctx.policies[group.region][opts["group_policy"]]
    group.periods = [Period(policy, group.created + timedelta(minutes=10))]

    if group.scenario == "group_copy_stopped":
        # A weekly script: a manual group backup copied to another region (CopyVolumeGroupBackup); both
        # deleted after 28 days; the script stopped weeks ago, so its last copies are old.
        dest = ctx.other_region(group.region)
        stop = end - timedelta(days=rng.uniform(15, 60))
        t = stop - timedelta(days=rng.uniform(0, 6))
        runs = 0
        while t >= group.created + timedelta(days=1) and runs < 30:
            del_at = t + _KEEP if t + _KEEP <= stop else None
            src = group_backup(group, h, t, source_type="MANUAL", backup_type="FULL",
                               name=f"xr-script {group.name} {t:%Y-%m-%d}", deleted=del_at)
            _, (u_queue, _, _, _) = h.draw("group-script", src.id)
            copied = group_copy_of(src, dest, h, src.t_done + timedelta(minutes=2 + 10 * u_queue), manual=True,
                                   deleted=del_at + timedelta(minutes=1) if del_at else None)
            group.events += [src, copied]
            t -= timedelta(days=7)
            runs += 1
    elif group.scenario == "group_replica":
        dest = ctx.dr_region(group.region)
        ad = ctx.ads(dest)[0]
        created = group.created + timedelta(days=rng.uniform(0.5, 2))
        grep = new_replica(h, "group", group.id, dest, ad, group.compartment_id, f"{group.name} replica",
                           sum(m.volume.size for m in group.members) + sum(s for _, s in group.block_volumes),
                           created)
        for m in group.members:
            member = new_replica(h, "boot", m.volume.id, dest, ad, group.compartment_id, f"{m.volume.name} replica",
                                 m.volume.size, created, image_id=m.volume.image_id, group_replica_id=grep.id)
            member.t_ready = grep.t_ready  # members sync with their group
            m.volume.replicas.append(member)
            grep.members.append(member.id)
        grep.members += [h.ocid("blockvolumereplica", dest, b) for b, _ in group.block_volumes]
        group.replicas.append(grep)

    # A volume that joins after the group's last backup: in volumeIds, in no group backup yet.
    # (A group backup holds the volumes that joined strictly before it was requested.)
    if late:
        last = max(t for _, _, t in policy_fires(group.periods, end))
        for vol in late:
            joined = (last + (end - last) * rng.uniform(0.2, 0.8)).replace(microsecond=0)
            group.members.append(Member(vol, max(joined, min(last + timedelta(seconds=1), end))))
            vol.protection = "group"
