"""Planning the demo tenancy over its whole life: tenancy, regions, compartments, policies, where each
boot volume (and volume group) lives; each scenario's protection is planned by :mod:`.scenarios`."""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from reportkit.sim.demo.groups import Member, VolumeGroup
from reportkit.sim.demo.images import ImageCatalog
from reportkit.sim.demo.records import Hasher, Plan, Policy, Schedule, Volume, ts
from reportkit.sim.demo.scenarios import Context, plan_group_protection, plan_protection

# scenarios whose volumes are placed where their (volume or group) policy copies to a paired region
_DAILY_PAIR = ("policy_copy", "policy_copy_kms_downgrade", "policy_copy_dest_key", "copy_failed",
               "deleted_image_fresh_copy", "replica_and_copy", "copy_expiring", "inactive_compartment")
# scenarios whose scripts or groups need months of history (their volumes are old)
_OLD_ONLY = ("manual_copy_stopped", "late_copy_of_old_backup", "orphan_copy", "copy_terminated",
             "no_backup_terminated", "group_copy", "group_copy_stopped", "group_replica")
# image by scenario; every other scenario gets a copyable image (mostly platform, some custom)
_IMAGE_MAKERS = {
    "ineligible_marketplace": lambda images, region, rng: images.marketplace(region, rng.randrange(2)),
    "ineligible_with_replica": lambda images, region, rng: images.marketplace(region, rng.randrange(2)),
    "ineligible_custom_from_marketplace": lambda images, region, rng: images.custom_from_marketplace(region),
    "ineligible_community": lambda images, region, rng: images.community(region),
    "ineligible_imported": lambda images, region, rng: images.imported(region),
    "deleted_image_no_copy": lambda images, region, rng: images.deleted(region),
    "deleted_image_fresh_copy": lambda images, region, rng: images.deleted(region, "deleted-copied"),
}


@dataclass
class _Anchor:
    """Where a volume group lives, chosen before its member volumes are placed."""

    scenario: str
    region: str
    ad: str
    path: str
    volumes: list[Volume]


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
    ad_prefix = ten.get("ad_prefix", "Uocm")
    tenancy = {
        "id": tenancy_id,
        "name": ten["name"],
        "description": ten.get("description", ""),
        "homeRegionKey": key_of[home],
        "freeformTags": {},
        "definedTags": {},
    }
    subscriptions = [
        {"regionKey": r["key"], "regionName": r["name"], "status": r.get("status", "READY"),
         "isHomeRegion": r["name"] == home}
        for r in regions
    ]
    subscribed_at = {r["name"]: end - timedelta(minutes=float(r.get("subscribed_minutes_before_end", 0)))
                     for r in regions if r.get("status", "READY") != "READY"}
    ready = [r for r in region_names if r not in subscribed_at]

    # Compartments: parents first; the root (tenancy) is not a record.
    path_to_id: dict[str, str] = {"": tenancy_id}
    compartments = []
    denied: list[str] = []
    left_active_at: dict[str, datetime] = {}
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
        if "state_days" in c:
            left_active_at[cid] = end - timedelta(days=float(c["state_days"]))
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

    # Vault keys exist in the regions the tenancy can use (none yet where the subscription is in progress).
    vault_keys = {r: [h.ocid("key", r, "vault", i) for i in range(2)] if r in ready else [] for r in region_names}

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
            if r not in p.get("regions", region_names):
                continue
            dest = pairs.get(r) if p.get("destination") == "pair" else p.get("destination")
            if p.get("destination") == "pair" and dest is None:
                continue
            created = (end - timedelta(minutes=float(p["created_minutes_before_end"]))
                       if "created_minutes_before_end" in p else start - timedelta(days=10))
            name = p["name"].format(key=key_of[r].lower(), dest_key=key_of.get(dest, "").lower())
            lst.append(Policy(h.ocid("volumebackuppolicy", r, key), r, name, key,
                               schedules(p["schedules"], hour_of[r]), created,
                               compartment_id=path_to_id[p.get("compartment", "Shared")], destination=dest))
        policies[r] = lst

    images = ImageCatalog(h, spec, start, path_to_id.get("Shared/Images", shared),
                           h.ocid("compartment", "", "community-publisher"))
    ctx = Context(rng=rng, h=h, end=end, spec=spec, pairs=pairs, vault_keys=vault_keys, ad_prefix=ad_prefix,
                  path_to_id=path_to_id, policies={r: {p.kind: p for p in lst} for r, lst in policies.items()},
                  active=[r["name"] for r in regions if r.get("weight", 0) > 0])
    volumes, anchors = _plan_volumes(ctx, start, denied, images)
    groups = _plan_groups(ctx, anchors)
    ads = {r["name"]: [f"{ad_prefix}:{ad}" for ad in r["ads"]] for r in regions}

    return Plan(seed, end, spec, h, tenancy, subscriptions, compartments, paths, denied, iam,
                 {r: images.by_region.get(r, {}) for r in region_names}, images.kinds,
                 list(images.listings.values()), vault_keys, policies, volumes, groups, ads, subscribed_at,
                 left_active_at)


def _plan_volumes(ctx: Context, start: datetime, denied: list[str],
                  images: ImageCatalog) -> tuple[list[Volume], list[_Anchor]]:
    """Every boot volume: region, compartment, AD, age, image, name; then its scenario's protection."""
    spec, rng, h, end = ctx.spec, ctx.rng, ctx.h, ctx.end
    regions = spec["regions"]
    options = spec.get("scenario_options", {})
    active = [r for r in regions if r.get("weight", 0) > 0]
    comps = [c for c in spec["compartments"] if c.get("weight", 0) > 0 and not c.get("denied")]
    denied_paths = [c["path"] for c in spec["compartments"] if c.get("denied")]
    region_of = {r["name"]: r for r in regions}

    scenarios = [name for name, n in spec["scenarios"].items() for _ in range(int(n))]
    rng.shuffle(scenarios)
    names = spec.get("names", {})
    hostile = list(names.get("hostile", []))
    long_len = int(names.get("long_name_length", 255))
    # the first hostile name goes to the first volume of names.first_to; the others (and one name of
    # the longest length OCI allows) to random volumes
    first_slot = scenarios.index(names["first_to"]) if hostile and names.get("first_to") in scenarios else None
    first_name = hostile.pop(0) if first_slot is not None else None
    others = [i for i in range(len(scenarios)) if i != first_slot]
    hostile_slots = set(rng.sample(others, min(len(others), len(hostile) + 1)))
    counters: dict[str, int] = defaultdict(int)
    seen: dict[str, int] = defaultdict(int)
    volumes: list[Volume] = []

    def pick_region(*, need_pair: bool = False, min_ads: int = 1, among: list[str] | None = None) -> dict[str, Any]:
        pool = [r for r in active if (not need_pair or r["name"] in ctx.pairs) and len(r["ads"]) >= min_ads
                and (among is None or r["name"] in among)]
        return rng.choices(pool, weights=[r["weight"] for r in pool])[0]

    def pick_path() -> str:
        return rng.choices(comps, weights=[c["weight"] for c in comps])[0]["path"]

    def needs_pair(scenario: str) -> bool:
        policy = options.get(scenario, {}).get("group_policy") or options.get(scenario, {}).get("policy")
        if policy is not None:
            return spec["user_policies"][policy].get("destination") == "pair"
        return scenario in _DAILY_PAIR or scenario.startswith("copy_in_wrong")

    # Volume groups are placed first: their members share the group's region, AD and compartment.
    anchors: dict[str, list[_Anchor]] = {}
    for scenario, opts in options.items():
        if "group_size" not in opts or scenario not in spec["scenarios"]:
            continue
        n_groups = -(-int(spec["scenarios"][scenario]) // int(opts["group_size"]))
        anchors[scenario] = []
        for _ in range(n_groups):
            reg = pick_region(need_pair=needs_pair(scenario))
            anchors[scenario].append(_Anchor(scenario, reg["name"], f"{ctx.ad_prefix}:{rng.choice(reg['ads'])}",
                                             pick_path(), []))

    for index, scenario in enumerate(scenarios):
        opts = options.get(scenario, {})
        k = seen[scenario]
        seen[scenario] += 1
        anchor = None
        if "group_size" in opts:
            anchor = anchors[scenario][k // int(opts["group_size"])]
        elif "joins" in opts:
            anchor = anchors[opts["joins"]][k % len(anchors[opts["joins"]])]
        if anchor is not None:
            reg = region_of[anchor.region]
        elif "route" in opts:
            reg = region_of[opts["route"][0]]
        elif "policy" in opts and "regions" in spec["user_policies"][opts["policy"]]:
            reg = pick_region(among=spec["user_policies"][opts["policy"]]["regions"])
        else:
            reg = pick_region(need_pair=needs_pair(scenario), min_ads=2 if scenario == "replica_cross_ad" else 1)
        region = reg["name"]
        if anchor is not None:
            path = anchor.path
        elif scenario == "denied_compartment":
            path = rng.choice(denied_paths)
        elif "compartment" in opts:
            path = opts["compartment"]
        else:
            path = pick_path()
        # Most volumes are old; about a third were created during the last six months.
        # Daily-policy volumes may be days old; others need a month of history for their
        # weekly/monthly schedules or scripts to have produced something.
        daily = needs_pair(scenario) and not scenario.startswith("copy_in_wrong")
        if scenario not in _OLD_ONLY and rng.random() < 0.35:
            created = end - timedelta(days=rng.uniform(4 if daily else 40, 180))
        else:
            created = end - timedelta(days=rng.uniform(200, (end - start).days - 5))
        if scenario == "provisioning":
            created = end - timedelta(minutes=2)
        created = created.replace(microsecond=0)

        maker = _IMAGE_MAKERS.get(scenario)
        if maker is None:
            roll = rng.random()
            if roll < 0.6:
                image_id = images.platform(region, rng.randrange(len(spec["images"]["platform"])))
            elif roll < 0.88:
                image_id = images.custom(region)
            else:
                image_id = images.chain(region)
        else:
            image_id = maker(images, region, rng)

        stem = path.rpartition("/")[2].lower().replace("-", "")
        counters[stem] += 1
        name = f"{stem}-{counters[stem]:02d}"
        if index == first_slot and first_name is not None:
            name = first_name
        elif index in hostile_slots:
            name = hostile.pop() if hostile else "x" * (long_len - len(" (Boot Volume)"))
        size = rng.choice([47, 47, 50, 50, 100, 128, 200, 256, 512, 1024])
        vol = Volume(
            id=h.ocid("bootvolume", region, index),
            region=region,
            compartment_id=ctx.path_to_id[path],
            path=path,
            ad=anchor.ad if anchor is not None else f"{ctx.ad_prefix}:{rng.choice(reg['ads'])}",
            name=f"{name} (Boot Volume)",
            size=size,
            vpus=rng.choice([10, 10, 10, 20]),
            image_id=image_id,
            image_kind=images.kinds[image_id],
            created=created,
            scenario=scenario,
            tags={"Environment": path.split("/")[0], "CostCenter": f"CC-{rng.randrange(100, 999)}"},
        )
        if anchor is not None:
            anchor.volumes.append(vol)
        plan_protection(vol, ctx)
        volumes.append(vol)
    return volumes, [a for lst in anchors.values() for a in lst]


def _plan_groups(ctx: Context, anchors: list[_Anchor]) -> list[VolumeGroup]:
    """Each anchor becomes a volume group of its member volumes (and of late joiners from other scenarios)."""
    rng, h = ctx.rng, ctx.h
    groups = []
    for n, anchor in enumerate(anchors):
        founders = [v for v in anchor.volumes if v.scenario == anchor.scenario]
        opts = ctx.spec["scenario_options"][anchor.scenario]
        created = (max(v.created for v in founders) + timedelta(days=rng.uniform(1, 5))).replace(microsecond=0)
        gid = h.ocid("volumegroup", anchor.region, anchor.scenario, n)
        stem = anchor.path.rpartition("/")[2].lower().replace("-", "")
        group = VolumeGroup(id=gid, region=anchor.region, compartment_id=ctx.path_to_id[anchor.path],
                            path=anchor.path, ad=anchor.ad, name=f"{stem}-group-{n + 1:02d}",
                            scenario=anchor.scenario, created=created,
                            members=[Member(v, created) for v in founders],
                            block_volumes=[(h.ocid("volume", anchor.region, gid, i), rng.choice([100, 256, 512]))
                                           for i in range(int(opts.get("block_volumes", 0)))])
        plan_group_protection(group, ctx, late=[v for v in anchor.volumes if v.scenario != anchor.scenario])
        groups.append(group)
    return groups
