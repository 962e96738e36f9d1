"""The readers of every other way OCI protects a boot volume: volume groups, group backups, policies on groups,
boot volume and volume group replicas (mixed into :class:`~reportkit.collection.readers.Collection`).

What is read where, and why nothing skipped can hide protection (bench/README.md has the request model):

- **Volume groups** (ListVolumeGroups, ``volumeIds`` -> ``volume_group_members``): in each region x
  compartment whose boot volume listing found a volume or failed (a failed listing cannot vouch for
  emptiness). A group elsewhere that a boot volume names in ``volumeGroupId`` is read by
  GetVolumeGroup. Each group's policy: GetVolumeBackupPolicyAssetAssignment with the group's id.
- **Volume group backups** (ListVolumeGroupBackups, ``volumeBackupIds`` ->
  ``volume_group_backup_members``, sources and copies alike): in each region x compartment whose
  boot volume backup listing found a backup or failed. A group backup that protects a boot volume
  holds a boot volume backup, which names it in ``volumeGroupBackupId``: any such group backup not
  found by the listings is read by GetVolumeGroupBackup.
- **Replicas**: a boot volume names each of its replicas, with the replica's availability domain
  (hence region), in ``bootVolumeReplicas``; a volume group in ``volumeGroupReplicas``. Replicas are
  listed only where these leads point: ListBootVolumeReplicas with ``compartmentId`` alone (every
  parameter is optional in the SDK; the fake requires a compartment) in the lead's region and the
  source's compartment, and ListVolumeGroupReplicas with the lead's availability domain and the
  group's compartment. A replica named but not found there is read by its id in its own region. A
  lead whose availability domain names no known region makes collect ask every region for its
  availability domains (ListAvailabilityDomains, once per region) before giving up with an
  ``errors`` row.
"""
from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import quote

from reportkit.collection import rows as R
from reportkit.collection import wire
from reportkit.collection.calls import CallFailed
from reportkit.schema import VOLUME_GROUP_BACKUP_MEMBERS, VOLUME_GROUP_MEMBERS, AssetType

_GONE = frozenset({"TERMINATING", "TERMINATED"})


class ProtectionReaders:
    """Readers of groups, group backups and replicas; state in :meth:`init_protection`."""

    # provided by Collection
    caller: Any
    rows: dict[str, list[tuple]]
    chosen: list[str]
    key_to_region: dict[str, str]
    _lock: Any

    def init_protection(self) -> None:
        self.tenancy_id = ""
        self.subscribed: set[str] = set()
        self._queued: set[tuple[str, ...]] = set()          # (operation, region, ...) already queued
        self._listed_ok: set[tuple[str, ...]] = set()       # (operation, region, compartment[, ad]) that succeeded
        self._seen: dict[str, set[str]] = {"group": set(), "group_backup": set(), "replica": set(),
                                           "group_replica": set()}
        # leads: id -> (region or None, availability domain, compartment to list in)
        self._leads: dict[str, dict[str, tuple[str | None, str | None, str]]] = {
            "group": {}, "group_backup": {}, "replica": {}, "group_replica": {}}
        self._asked: set[str] = set()
        self._ad_region: dict[str, str] = {}
        self._ads_listed = False
        self.protection_counts: Counter = Counter()

    # ------------------------------------------------------------------------------ queueing
    def _queue(self, key: tuple[str, ...], region: str, operation: str, fn: Any, *args: Any,
               compartment: str | None = None, resource: str | None = None) -> None:
        with self._lock:
            if key in self._queued:
                return
            self._queued.add(key)
            self.protection_counts[operation] += 1
        self.submit(region, None, operation, fn, *args, compartment=compartment, resource=resource)  # type: ignore[attr-defined]

    def after_volumes(self, region: str, compartment: str, *, failed: bool, found: int) -> None:
        """After a boot volume listing: its compartment's volume groups, if it may hold any."""
        if failed or found:
            self._queue(("ListVolumeGroups", region, compartment), region, "ListVolumeGroups", self.list_groups,
                        region, compartment, compartment=compartment)
        else:
            with self._lock:
                self.protection_counts["ListVolumeGroups skipped (no boot volume)"] += 1

    def after_backups(self, region: str, compartment: str, *, failed: bool, found: int) -> None:
        """After a boot volume backup listing: its compartment's volume group backups, if it may hold any."""
        if failed or found:
            self._queue(("ListVolumeGroupBackups", region, compartment), region, "ListVolumeGroupBackups",
                        self.list_group_backups, region, compartment, compartment=compartment)
        else:
            with self._lock:
                self.protection_counts["ListVolumeGroupBackups skipped (no backup)"] += 1

    # ------------------------------------------------------------------------------ leads
    def volume_row(self, values: dict[str, Any], region: str, compartment: str) -> tuple:
        """The ``boot_volumes`` row of a listed volume; its replica and group leads are noted."""
        leads, problems = R.replica_leads(values, wire.BOOT_VOLUME_REPLICA_INFO, "bootVolumeReplicaId",
                                          "bootVolumeReplicas")
        if problems:
            self.bad_fields(region, compartment, "ListBootVolumes", values["id"], wire.BOOT_VOLUME, problems)  # type: ignore[attr-defined]
        regions = []
        for replica_id, ad in leads:
            regions.append(self._lead("replica", replica_id, ad, values["compartmentId"] or compartment))
        if values["volumeGroupId"]:
            self._lead("group", values["volumeGroupId"], None, values["compartmentId"] or compartment, region)
        return R.boot_volume_row(values, region, regions)

    def note_group_backup(self, region: str, values: dict[str, Any]) -> None:
        """A member backup names its group backup: a lead, in the backup's region."""
        if values["volumeGroupBackupId"]:
            self._lead("group_backup", values["volumeGroupBackupId"], None, values["compartmentId"], region)

    def _lead(self, kind: str, ident: str, ad: str | None, compartment: str, region: str | None = None) -> str | None:
        """Note a lead; queue the listing where it points (when that region is read); return its region."""
        if region is None and ad is not None:
            region = self.region_of_ad(ad)
        with self._lock:
            self._leads[kind].setdefault(ident, (region, ad, compartment))
        if region is None or region not in self.chosen:
            return region
        if kind == "replica":
            self._queue(("ListBootVolumeReplicas", region, compartment), region, "ListBootVolumeReplicas",
                        self.list_replicas, region, compartment, compartment=compartment)
        elif kind == "group_replica" and ad:
            self._queue(("ListVolumeGroupReplicas", region, compartment, ad), region, "ListVolumeGroupReplicas",
                        self.list_group_replicas, region, ad, compartment, compartment=compartment)
        return region

    def region_of_ad(self, ad: str) -> str | None:
        """The subscribed region an availability domain belongs to (its name, else ListAvailabilityDomains)."""
        if ad in self._ad_region:
            return self._ad_region[ad]
        region = R.region_of_availability_domain(ad, self.key_to_region)
        return region if region in self.subscribed else None

    # ------------------------------------------------------------------------------ readers
    def _pages(self, region: str, operation: str, path: str, query: dict[str, Any], shape: wire.Shape,
               compartment: str | None, key: tuple[str, ...]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for page in self.caller.pages("blockstorage", region, operation, path, query):
            out += self.accept(shape, page, region, compartment, operation)  # type: ignore[attr-defined]
        with self._lock:
            self._listed_ok.add(key)
        return out

    def list_groups(self, region: str, compartment: str) -> None:
        for values in self._pages(region, "ListVolumeGroups", "/volumeGroups", {"compartmentId": compartment},
                                  wire.VOLUME_GROUP, compartment, ("ListVolumeGroups", region, compartment)):
            self.add_group(values, region)

    def _keep(self, kind: str, rowmap: R.RowMap, values: dict[str, Any], region: str,
              members: tuple[Any, str, str] | None = None) -> bool:
        """Append the row of a record seen for the first time (and its member rows: table, wire list field,
        member column); False when it was already kept."""
        with self._lock:
            if values["id"] in self._seen[kind]:
                return False
            self._seen[kind].add(values["id"])
            self.rows[rowmap.table.name].append(R._row(rowmap, values, region=region))
            if members is not None:
                table, field, column = members
                self.rows[table.name] += R.members(table, values["id"], region, values[field] or [], column)
        return True

    def add_group(self, values: dict[str, Any], region: str) -> None:
        if not self._keep("group", R.GROUP_ROWS, values, region, (VOLUME_GROUP_MEMBERS, "volumeIds", "volume_id")):
            return
        leads, problems = R.replica_leads(values, wire.VOLUME_GROUP_REPLICA_INFO, "volumeGroupReplicaId",
                                          "volumeGroupReplicas")
        if problems:
            self.bad_fields(region, values["compartmentId"], "ListVolumeGroups", values["id"], wire.VOLUME_GROUP,  # type: ignore[attr-defined]
                            problems)
        for replica_id, ad in leads:
            self._lead("group_replica", replica_id, ad, values["compartmentId"])
        if values["lifecycleState"] not in _GONE:
            self.submit(region, None, "GetVolumeBackupPolicyAssetAssignment", self.assignment, region,  # type: ignore[attr-defined]
                        values["id"], AssetType.VOLUME_GROUP.value, compartment=values["compartmentId"],
                        resource=values["id"])

    def list_group_backups(self, region: str, compartment: str) -> None:
        for values in self._pages(region, "ListVolumeGroupBackups", "/volumeGroupBackups",
                                  {"compartmentId": compartment}, wire.VOLUME_GROUP_BACKUP, compartment,
                                  ("ListVolumeGroupBackups", region, compartment)):
            self.add_group_backup(values, region)

    def add_group_backup(self, values: dict[str, Any], region: str) -> None:
        self._keep("group_backup", R.GROUP_BACKUP_ROWS, values, region,
                   (VOLUME_GROUP_BACKUP_MEMBERS, "volumeBackupIds", "volume_backup_id"))

    def list_replicas(self, region: str, compartment: str) -> None:
        for values in self._pages(region, "ListBootVolumeReplicas", "/bootVolumeReplicas",
                                  {"compartmentId": compartment}, wire.BOOT_VOLUME_REPLICA, compartment,
                                  ("ListBootVolumeReplicas", region, compartment)):
            self.add_replica(values, region)

    def add_replica(self, values: dict[str, Any], region: str) -> None:
        self._keep("replica", R.REPLICA_ROWS, values, region)

    def list_group_replicas(self, region: str, ad: str, compartment: str) -> None:
        for values in self._pages(region, "ListVolumeGroupReplicas", "/volumeGroupReplicas",
                                  {"availabilityDomain": ad, "compartmentId": compartment}, wire.VOLUME_GROUP_REPLICA,
                                  compartment, ("ListVolumeGroupReplicas", region, compartment, ad)):
            self.add_group_replica(values, region)

    def add_group_replica(self, values: dict[str, Any], region: str) -> None:
        self._keep("group_replica", R.GROUP_REPLICA_ROWS, values, region)

    # ------------------------------------------------------------------------------ leads not found
    _GETS = {"group": ("GetVolumeGroup", "volumeGroups", wire.VOLUME_GROUP, "add_group", "ListVolumeGroups"),
             "group_backup": ("GetVolumeGroupBackup", "volumeGroupBackups", wire.VOLUME_GROUP_BACKUP,
                              "add_group_backup", "ListVolumeGroupBackups"),
             "replica": ("GetBootVolumeReplica", "bootVolumeReplicas", wire.BOOT_VOLUME_REPLICA, "add_replica",
                         "ListBootVolumeReplicas"),
             "group_replica": ("GetVolumeGroupReplica", "volumeGroupReplicas", wire.VOLUME_GROUP_REPLICA,
                               "add_group_replica", "ListVolumeGroupReplicas")}

    def next_round(self) -> bool:
        """Queue what the leads still ask for once everything queued has ended: availability domains for
        leads no region claims (once), then a Get for each lead the listings did not find. Return True
        when something was queued (the run then waits and asks again)."""
        unmapped = {ad for leads in self._leads.values() for region, ad, _ in leads.values()
                    if region is None and ad is not None}
        if unmapped and not self._ads_listed:
            self._ads_listed = True
            for region in self.chosen:
                self._queue(("ListAvailabilityDomains", region), region, "ListAvailabilityDomains",
                            self.availability_domains, region)
            return True
        queued = False
        for kind, leads in self._leads.items():
            operation, path, shape, add, listing = self._GETS[kind]
            for ident, (region, ad, compartment) in list(leads.items()):
                if region is None and ad is not None:
                    region = self._ad_region.get(ad)
                    if region is not None:
                        leads[ident] = (region, ad, compartment)
                        self._lead(kind, ident, ad, compartment, region)
                        queued = True
                        continue
                    if ident not in self._asked:
                        self._asked.add(ident)
                        self.error(None, compartment, listing, ident, None, "UnknownAvailabilityDomain",  # type: ignore[attr-defined]
                                   f"{ident} is named in availability domain {ad!r}, which no subscribed region "
                                   "has: it was not read", None)
                    continue
                if (region is None or region not in self.chosen or ident in self._seen[kind]
                        or ident in self._asked or not self._listing_ok(listing, region, compartment, ad)):
                    continue
                self._asked.add(ident)
                self._queue((operation, region, ident), region, operation, self.get_one, region, operation,
                            f"/{path}/{quote(ident, safe='')}", shape, add, compartment=compartment, resource=ident)
                queued = True
        return queued

    def _listing_ok(self, listing: str, region: str, compartment: str, ad: str | None) -> bool:
        """Whether the listing where a lead points succeeded (a failed one is a gap already), or was
        never made (a group or group backup named from another compartment)."""
        key = (listing, region, compartment) + ((ad,) if listing == "ListVolumeGroupReplicas" and ad else ())
        with self._lock:
            return key in self._listed_ok or key not in self._queued

    def get_one(self, region: str, operation: str, path: str, shape: wire.Shape, add: str) -> None:
        data, headers = self.caller.call("blockstorage", region, operation, path)
        values, problems = self.single(shape, data, headers, operation, f"a {shape.model} JSON object")  # type: ignore[attr-defined]
        if problems:
            self.bad_fields(region, values.get("compartmentId"), operation, values["id"], shape, problems)  # type: ignore[attr-defined]
        getattr(self, add)(values, region)

    def availability_domains(self, region: str) -> None:
        data, headers = self.caller.call("identity", region, "ListAvailabilityDomains", "/availabilityDomains",
                                         query={"compartmentId": self.tenancy_id})
        if not isinstance(data, list):
            raise CallFailed("ListAvailabilityDomains", 200, "WrongShape", "expected a JSON list of "
                             "AvailabilityDomain", headers.get("opc-request-id"))
        for item in data:
            values, _ = wire.check(wire.AVAILABILITY_DOMAIN, item)
            if values is not None:
                with self._lock:
                    self._ad_region[values["name"]] = region

    def protection_parameters(self) -> dict[str, Any]:
        """``metadata.parameters["protection"]``: the reads made (and skipped) for groups and replicas."""
        leads = {kind: len(v) for kind, v in self._leads.items()}
        outside = sorted({r for v in self._leads.values() for r, _, _ in v.values() if r and r not in self.chosen})
        return {"requests": dict(sorted(self.protection_counts.items())), "leads": leads,
                "lead_regions_not_collected": outside, "availability_domains_listed": self._ads_listed}
