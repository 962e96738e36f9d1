"""Planning the demo tenancy over its whole life: tenancy, compartments, policies, volumes, and each
volume's protection (policies over time, scripted manual backups and copies, replicas)."""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from reportkit.sim.demo.images import ImageCatalog
from reportkit.sim.demo.records import Backup, Hasher, Period, Plan, Policy, Schedule, Volume, ts
from reportkit.sim.demo.snapshot import copy_of, manual_backup


def plan_tenancy(spec: dict[str, Any], seed: int, end: datetime) -> Plan:
    rng = random.Random(seed)
    h = Hasher(seed)
    ten = spec["tenancy"]
    start = end - timedelta(days=int(ten.get("history_days", 720)))
    tenancy_id = h.ocid("tenancy", "", ten["name"])
    regions = spec["regions"]
    region_names = [r["name"] for r in regions]
    key_of = {r["name"]: r["key"] for r in regions}
    home = ten["home_region"]
    tenancy = {
        "id": tenancy_id,
        "name": ten["name"],
        "description": ten.get("description", ""),
        "homeRegionKey": key_of[home],
        "freeformTags": {},
        "definedTags": {},
    }
    subscriptions = [
        {"regionKey": r["key"], "regionName": r["name"], "status": "READY", "isHomeRegion": r["name"] == home}
        for r in regions
    ]

    # Compartments: parents first; the root (tenancy) is not a record.
    path_to_id: dict[str, str] = {"": tenancy_id}
    compartments = []
    denied: list[str] = []
    for c in spec["compartments"]:
        path = c["path"]
        cid = h.ocid("compartment", "", path)
        parent = path_to_id[path.rpartition("/")[0]]
        path_to_id[path] = cid
        compartments.append({
            "id": cid,
            "compartmentId": parent,
            "name": path.rpartition("/")[2],
            "description": c.get("description", ""),
            "timeCreated": ts(start - timedelta(days=30 + 3 * len(compartments))),
            "lifecycleState": c.get("state", "ACTIVE"),
            "isAccessible": not c.get("denied", False),
            "freeformTags": {},
            "definedTags": {},
        })
        if c.get("denied"):
            denied.append(cid)
    paths = {v: k for k, v in path_to_id.items() if k}
    shared = path_to_id.get("Shared", tenancy_id)

    iam = []
    for i, p in enumerate(spec.get("iam_policies", [])):
        iam.append({
            "id": h.ocid("policy", "", p["name"]),
            "compartmentId": path_to_id[p.get("compartment", "")],
            "name": p["name"],
            "statements": list(p["statements"]),
            "description": p.get("description", p["name"]),
            "timeCreated": ts(start - timedelta(days=20 - i)),
            "lifecycleState": "ACTIVE",
            "freeformTags": {},
            "definedTags": {},
        })

    vault_keys = {r: [h.ocid("key", r, "vault", i) for i in range(2)] for r in region_names}

    # Backup policies per region: Oracle-defined (no compartment, no destination) and the user ones.
    hour_of = {r["name"]: int(r.get("backup_hour", 0)) for r in regions}
    pairs = spec.get("dr_pairs", {})

    def schedules(decl: list[dict[str, Any]], hour: int) -> tuple[Schedule, ...]:
        return tuple(Schedule(s["period"], s["type"], timedelta(days=s["retention_days"]), hour,
                               s.get("day_of_week"), s.get("day_of_month"), s.get("month")) for s in decl)

    policies: dict[str, list[Policy]] = {}
    for r in region_names:
        lst = [Policy(h.ocid("volumebackuppolicy", r, name), r, name, name,
                       schedules(p["schedules"], hour_of[r]), start - timedelta(days=400))
               for name, p in spec["oracle_policies"].items()]
        for key, p in spec.get("user_policies", {}).items():
            dest = pairs.get(r) if p.get("destination") == "pair" else p.get("destination")
            if p.get("destination") == "pair" and dest is None:
                continue
            name = p["name"].format(key=key_of[r].lower(), dest_key=key_of.get(dest, "").lower())
            lst.append(Policy(h.ocid("volumebackuppolicy", r, key), r, name, key,
                               schedules(p["schedules"], hour_of[r]), start - timedelta(days=10),
                               compartment_id=path_to_id[p.get("compartment", "Shared")], destination=dest))
        policies[r] = lst

    images = ImageCatalog(h, spec, start, path_to_id.get("Shared/Images", shared),
                           h.ocid("compartment", "", "community-publisher"))
    volumes = _plan_volumes(spec, rng, h, end, start, path_to_id, denied, policies, images, vault_keys, pairs)

    return Plan(seed, end, spec, h, tenancy, subscriptions, compartments, paths, denied, iam,
                 {r: images.by_region.get(r, {}) for r in region_names}, images.kinds,
                 list(images.listings.values()), vault_keys, policies, volumes)


def _plan_volumes(spec: dict[str, Any], rng: random.Random, h: Hasher, end: datetime, start: datetime,
                  path_to_id: dict[str, str], denied: list[str], policies: dict[str, list[Policy]],
                  images: ImageCatalog, vault_keys: dict[str, list[str]], pairs: dict[str, str]) -> list[Volume]:
    regions = spec["regions"]
    ad_prefix = spec["tenancy"].get("ad_prefix", "Uocm")
    active = [r for r in regions if r.get("weight", 0) > 0]
    all_names = [r["name"] for r in regions]
    comps = [c for c in spec["compartments"] if c.get("weight", 0) > 0 and not c.get("denied")]
    denied_paths = [c["path"] for c in spec["compartments"] if c.get("denied")]
    by_kind = {r: {p.kind: p for p in lst} for r, lst in policies.items()}

    scenarios = [name for name, n in spec["scenarios"].items() for _ in range(int(n))]
    rng.shuffle(scenarios)
    hostile = list(spec.get("names", {}).get("hostile", []))
    long_len = int(spec.get("names", {}).get("long_name_length", 255))
    hostile_slots = set(rng.sample(range(len(scenarios)), min(len(scenarios), len(hostile) + 1)))
    counters: dict[str, int] = defaultdict(int)
    volumes: list[Volume] = []

    def pick_region(need_pair: bool = False) -> dict[str, Any]:
        pool = [r for r in active if not need_pair or r["name"] in pairs]
        return rng.choices(pool, weights=[r["weight"] for r in pool])[0]

    def other_region(region: str, exclude: tuple[str, ...] = ()) -> str:
        pool = [r["name"] for r in active if r["name"] != region and r["name"] not in exclude]
        return rng.choice(pool)

    for index, scenario in enumerate(scenarios):
        needs_pair = scenario.startswith(("policy_copy", "copy_failed", "copy_in_wrong", "replica_and",
                                          "deleted_image_fresh"))
        reg = pick_region(needs_pair)
        region = reg["name"]
        if scenario == "denied_compartment":
            path = rng.choice(denied_paths)
        else:
            path = rng.choices(comps, weights=[c["weight"] for c in comps])[0]["path"]
        cid = path_to_id[path]
        # Most volumes are old; about a third were created during the last six months.
        # Daily-policy volumes may be days old; others need a month of history for their
        # weekly/monthly schedules or scripts to have produced something.
        daily = needs_pair and scenario != "copy_in_wrong_region"
        old_only = scenario in ("manual_copy_stopped", "late_copy_of_old_backup", "orphan_copy",
                                "copy_terminated", "no_backup_terminated")
        if not old_only and rng.random() < 0.35:
            created = end - timedelta(days=rng.uniform(4 if daily else 40, 180))
        else:
            created = end - timedelta(days=rng.uniform(200, (end - start).days - 5))
        if scenario == "provisioning":
            created = end - timedelta(minutes=2)
        created = created.replace(microsecond=0)

        # Image by scenario; eligible ones mostly platform, some custom, a few custom chains.
        kind_maker = {
            "ineligible_marketplace": lambda: images.marketplace(region, rng.randrange(2)),
            "ineligible_custom_from_marketplace": lambda: images.custom_from_marketplace(region),
            "ineligible_community": lambda: images.community(region),
            "ineligible_imported": lambda: images.imported(region),
            "deleted_image_no_copy": lambda: images.deleted(region),
            "deleted_image_fresh_copy": lambda: images.deleted(region, "deleted-copied"),
        }.get(scenario)
        if kind_maker is None:
            roll = rng.random()
            if roll < 0.6:
                image_id = images.platform(region, rng.randrange(len(spec["images"]["platform"])))
            elif roll < 0.88:
                image_id = images.custom(region)
            else:
                image_id = images.chain(region)
        else:
            image_id = kind_maker()

        stem = path.rpartition("/")[2].lower().replace("-", "")
        counters[stem] += 1
        name = f"{stem}-{counters[stem]:02d}"
        if index in hostile_slots:
            name = hostile.pop() if hostile else "x" * (long_len - len(" (Boot Volume)"))
        size = rng.choice([47, 47, 50, 50, 100, 128, 200, 256, 512, 1024])
        vol = Volume(
            id=h.ocid("bootvolume", region, index),
            region=region,
            compartment_id=cid,
            path=path,
            ad=f"{ad_prefix}:{rng.choice(reg['ads'])}",
            name=f"{name} (Boot Volume)",
            size=size,
            vpus=rng.choice([10, 10, 10, 20]),
            image_id=image_id,
            image_kind=images.kinds[image_id],
            created=created,
            scenario=scenario,
            tags={"Environment": path.split("/")[0], "CostCenter": f"CC-{rng.randrange(100, 999)}"},
        )
        _plan_protection(vol, rng, h, end, by_kind[region], pairs, vault_keys, other_region, all_names, ad_prefix,
                         spec)
        volumes.append(vol)
    return volumes


def _plan_protection(vol: Volume, rng: random.Random, h: Hasher, end: datetime, pol: dict[str, Policy],
                     pairs: dict[str, str], vault_keys: dict[str, list[str]], other_region: Any,
                     all_names: list[str], ad_prefix: str, spec: dict[str, Any]) -> None:
    """Assign policies, copy behaviour, manual backups/copies and replicas for the volume's scenario."""
    s = vol.scenario
    assign_at = vol.created + timedelta(minutes=10)
    local = [k for k in ("gold", "silver", "bronze", "local-weekly", "nonprod") if k in pol]
    xr = pol.get("xr-daily")

    def assign(kind: str | None) -> None:
        vol.periods = [Period(pol[kind], assign_at)] if kind else []

    if s in ("policy_copy", "policy_copy_kms_downgrade", "policy_copy_dest_key", "copy_failed",
             "deleted_image_fresh_copy", "replica_and_copy"):
        assign("xr-daily")
        vol.protection = "policy_copy"
    elif s in ("no_backup", "no_backup_faulty", "no_backup_terminated", "provisioning"):
        assign(None)
    elif s.startswith("ineligible") or s == "denied_compartment":
        assign(rng.choice(local + ["xr-daily"] * 2) if xr else rng.choice(local))
        vol.protection = "policy_copy" if vol.periods and vol.periods[0].policy.destination else "none"
    else:
        assign(rng.choice(local))

    if s == "policy_copy_kms_downgrade":
        vol.kms_key_id = vault_keys[vol.region][0]
    elif s == "policy_copy_dest_key":
        vol.kms_key_id = vault_keys[vol.region][0]
        vol.copy_kms_key_id = vault_keys[xr.destination][1]  # type: ignore[union-attr]
    elif s == "copy_failed":
        vol.copy_faulty = True

    def manual(t: datetime, *, name: str, deleted: datetime | None = None, faulty: bool = False) -> Backup:
        b = manual_backup(vol, h, t, name=name, deleted=deleted, faulty=faulty)
        vol.events.append(b)
        return b

    def copy(src: Backup, dest: str, t: datetime, *, deleted: datetime | None = None) -> Backup:
        c = copy_of(vol, src, dest, h, t, kms_key_id=None, faulty=False, manual=True)
        c.t_deleted = deleted
        vol.events.append(c)
        return c

    def script(dest: str, interval_days: int, last: datetime, stop: datetime | None = None) -> None:
        """An ops script: every interval a manual FULL backup copied to ``dest``; both deleted after 28 days."""
        t = last
        first = vol.created + timedelta(days=1)
        runs = 0
        while t >= first and runs < 30:
            del_at = t + timedelta(days=28)
            if stop is not None and del_at > stop:
                del_at = None
            src = manual(t, name=f"xr-script {vol.name} {t:%Y-%m-%d}", deleted=del_at)
            copy(src, dest, src.t_done + timedelta(minutes=2), deleted=del_at + timedelta(minutes=1) if del_at else None)
            t -= timedelta(days=interval_days)
            runs += 1

    if s == "manual_copy":
        vol.protection = "manual_copy"
        script(other_region(vol.region), 7, end - timedelta(days=rng.uniform(1, 6)))
    elif s == "copy_in_progress":
        vol.protection = "manual_copy"
        script(other_region(vol.region), 14, end - timedelta(minutes=rng.uniform(45, 60)))
        last_copy = vol.events[1]
        if rng.random() < 0.5:  # still queued: REQUEST_RECEIVED at as_of
            last_copy.t_created = end + timedelta(minutes=10)
            last_copy.t_done = end + timedelta(hours=3)
        else:
            last_copy.t_done = end + timedelta(hours=rng.uniform(1, 4))
    elif s == "manual_copy_stopped":
        vol.protection = "manual_copy"
        stop = end - timedelta(days=rng.uniform(15, 60))
        script(other_region(vol.region), 7, stop - timedelta(days=rng.uniform(0, 6)), stop=stop)
    elif s == "late_copy_of_old_backup":
        vol.protection = "manual_copy"
        src = manual(end - timedelta(days=rng.uniform(12, 30)), name=f"pre-upgrade {vol.name}")
        copy(src, other_region(vol.region), end - timedelta(days=rng.uniform(1, 3)))
    elif s == "orphan_copy":
        vol.protection = "manual_copy"
        src = manual(end - timedelta(days=rng.uniform(35, 45)), name=f"one-off {vol.name}",
                     deleted=end - timedelta(days=rng.uniform(15, 25)))
        copy(src, other_region(vol.region), src.t_done + timedelta(minutes=5))
    elif s == "copy_terminated":
        src = manual(end - timedelta(days=rng.uniform(50, 70)), name=f"migration {vol.name}")
        copy(src, other_region(vol.region), src.t_done + timedelta(minutes=5),
             deleted=end - timedelta(days=rng.uniform(1, 2.5)))
    elif s == "copy_in_wrong_region":
        # Was on silver; moved to the copy policy 30 min ago (no scheduled backup since), while
        # a script copies to a region that is not the policy's destination.
        switch = end - timedelta(minutes=30)
        vol.periods = [Period(pol["silver"], assign_at, switch), Period(xr, switch)]  # type: ignore[arg-type]
        vol.protection = "policy_copy"
        wrong = other_region(vol.region, exclude=(xr.destination,))  # type: ignore[union-attr]
        script(wrong, 7, end - timedelta(days=rng.uniform(1, 5)))
    elif s == "no_backup_faulty":
        manual(end - timedelta(days=rng.uniform(2, 20)), name=f"first backup {vol.name}", faulty=True)
    elif s == "no_backup_terminated":
        t = end - timedelta(days=rng.uniform(30, 60))
        manual(t, name=f"before-decommission {vol.name}", deleted=end - timedelta(days=rng.uniform(0.2, 2)))
    elif s in ("replica_only", "replica_and_copy"):
        dest = pairs.get(vol.region) or other_region(vol.region)
        reg = next(r for r in spec["regions"] if r["name"] == dest)
        vol.replicas = [{
            "displayName": f"{vol.name} replica",
            "bootVolumeReplicaId": h.ocid("bootvolumereplica", dest, vol.id),
            "availabilityDomain": f"{ad_prefix}:{reg['ads'][0]}",
        }]
        if s == "replica_only":
            vol.protection = "replica"

    # Ad-hoc extras that do not change the verdict: a kept manual backup, and a few in flight.
    if vol.periods and s not in ("copy_in_wrong_region",) and rng.random() < 0.15:
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


