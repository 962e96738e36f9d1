"""Image classification: where each image comes from, and whether its backups can be copied.

Oracle documents cross-region copy only for boot volumes of instances created from platform
images or custom images built from platform images (docs/oci-facts.md §2.2, §8). So the class
of an image is decided by the *root* of its ``base_image_id`` chain, walked here as a vectorised
pointer chase (one positional look-up per chain level, every image at once).
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from reportkit.assessment._lookup import at, compose_text, positions
from reportkit.errors import InputError
from reportkit.schema import ASSESSED_IMAGES, ImageClass

MAX_CHAIN_DEPTH = 32  # real chains are a few levels; anything longer is corrupt or a loop

OVERRIDE_COLUMNS = ["image_id", "image_class", "note"]

_ELIGIBLE = {
    ImageClass.PLATFORM: True,
    ImageClass.CUSTOM_FROM_PLATFORM: True,
    ImageClass.CUSTOM_IMPORTED: False,
    ImageClass.CUSTOM_FROM_MARKETPLACE: False,
    ImageClass.MARKETPLACE: False,
    ImageClass.COMMUNITY: False,
    ImageClass.UNKNOWN: pd.NA,
}

# class of a custom image whose base chain ends at an image of the key's class
_DERIVED = {
    ImageClass.PLATFORM: ImageClass.CUSTOM_FROM_PLATFORM,
    ImageClass.CUSTOM_FROM_PLATFORM: ImageClass.CUSTOM_FROM_PLATFORM,
    ImageClass.CUSTOM_IMPORTED: ImageClass.CUSTOM_IMPORTED,
    ImageClass.CUSTOM_FROM_MARKETPLACE: ImageClass.CUSTOM_FROM_MARKETPLACE,
    ImageClass.MARKETPLACE: ImageClass.CUSTOM_FROM_MARKETPLACE,
    ImageClass.COMMUNITY: ImageClass.COMMUNITY,
    ImageClass.UNKNOWN: ImageClass.UNKNOWN,
}

_CLASSES = [c.value for c in ImageClass]
_CUSTOM = "custom"  # local kind of a custom image with a base: not a root, follow the chain
_KINDS = [*_CLASSES, _CUSTOM]

_NOT_COPYABLE = "Oracle documents cross-region copy only for platform images and custom images built from them"


def classify_images(images: pd.DataFrame, overrides: pd.DataFrame | None = None, *,
                    referenced: Iterable[str] | None = None) -> pd.DataFrame:
    """Return one row per image (schema.ASSESSED_IMAGES) with its class, root and eligibility.

    ``images`` is the inventory ``images`` table. ``referenced`` are image OCIDs used by backups
    or volumes: those absent from ``images`` are added with lookup_status ``missing`` (class
    unknown). ``overrides`` (image_id, image_class, note; see :func:`validate_image_overrides`)
    win over inference; an override on a base image also decides its descendants.
    ``copy_evidence`` is False here; :func:`reportkit.assessment.assess` sets it from the backups.
    """
    frame = _with_referenced(images, referenced)
    over = validate_image_overrides(overrides) if overrides is not None else _empty_overrides()
    n = len(frame)
    ids = frame["image_id"]
    status = frame["lookup_status"].fillna("ok").str.lower()
    has_compartment = _present(frame["compartment_id"])
    has_base = _present(frame["base_image_id"])
    community = frame["listing_type"].fillna("").str.upper().eq("COMMUNITY").to_numpy(bool)
    marketplace = _present(frame["marketplace_listing_id"])
    over_pos = positions(ids, over["image_id"])
    overridden_here = over_pos >= 0
    # a trailing dummy keeps position -1 (no override) indexable
    over_class = np.append(over["image_class"].to_numpy(object), "")
    over_note = np.append(over["note"].fillna("").to_numpy(object), "")

    # Local kind: what the image itself says, before following its base.
    readable = status.isin(["ok"]).to_numpy(bool)
    kind = np.select(
        [overridden_here, ~readable, community, marketplace, ~has_compartment, ~has_base],
        [over_class[over_pos],
         ImageClass.UNKNOWN.value, ImageClass.COMMUNITY.value, ImageClass.MARKETPLACE.value,
         ImageClass.PLATFORM.value, ImageClass.CUSTOM_IMPORTED.value],
        default=_CUSTOM,
    ).astype(object)
    kind_code = pd.Categorical(kind, categories=_KINDS).codes.astype(np.int64)
    custom_code = _KINDS.index(_CUSTOM)
    base_pos = positions(frame["base_image_id"], ids)

    # Pointer chase: every still-custom image moves one step up its chain per iteration.
    current = np.arange(n)
    depth = np.zeros(n, dtype=np.int64)
    base_missing = np.zeros(n, dtype=bool)  # chain points at an image the inventory lacks
    looped = np.zeros(n, dtype=bool)
    active = kind_code == custom_code
    for _ in range(MAX_CHAIN_DEPTH):
        if not active.any():
            break
        nxt = base_pos[current]
        lost = active & (nxt < 0)
        base_missing |= lost
        active &= ~lost
        current = np.where(active, nxt, current)
        depth = np.where(active, depth + 1, depth)
        looped |= active & (current == np.arange(n))
        active &= ~looped
        active &= kind_code[current] == custom_code
    looped |= active  # still walking after MAX_CHAIN_DEPTH steps: treat as a loop / corrupt chain

    root_kind = np.array(_KINDS, dtype=object)[kind_code[current]]
    derived = pd.Series(root_kind).map({k.value: v.value for k, v in _DERIVED.items()}).to_numpy(object)
    broken = base_missing | looped
    image_class = np.where(broken, ImageClass.UNKNOWN.value, np.where(depth == 0, root_kind, derived))
    root_ids = ids.to_numpy(object)[current]
    root_ids = np.where(base_missing, frame["base_image_id"].to_numpy(object)[current], root_ids)
    root_overridden = overridden_here[current] & ~broken

    reason = _reasons(frame, image_class, root_kind, root_ids, depth, status.to_numpy(object), base_missing,
                      looped, root_overridden, over_note[over_pos[current]])
    eligible = pd.array(pd.Series(image_class).map({k.value: v for k, v in _ELIGIBLE.items()}).tolist(),
                        dtype="boolean")
    out = pd.DataFrame({
        "image_id": ids,
        "region": frame["region"],
        "compartment_id": frame["compartment_id"],
        "display_name": frame["display_name"],
        "operating_system": frame["operating_system"],
        "base_image_id": frame["base_image_id"],
        "listing_type": frame["listing_type"],
        "marketplace_listing_id": frame["marketplace_listing_id"],
        "lookup_status": status,
        "root_image_id": pd.array(root_ids, dtype="string"),
        "chain_depth": pd.arrays.IntegerArray(depth.astype(np.int64), np.zeros(n, dtype=bool)),
        "image_class": pd.Categorical(image_class, categories=_CLASSES),
        "copy_eligible": eligible,
        "eligibility_reason": reason,
        "overridden": pd.arrays.BooleanArray(root_overridden.astype(bool), np.zeros(n, dtype=bool)),
        "copy_evidence": pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)),
    })
    return ASSESSED_IMAGES.coerce(out).sort_values("image_id", kind="stable").reset_index(drop=True)


def _present(series: pd.Series) -> np.ndarray:
    """True where a string column holds a non-empty value (images are few: row by row)."""
    return np.array([isinstance(v, str) and bool(v.strip()) for v in series], dtype=bool)


def _with_referenced(images: pd.DataFrame, referenced: Iterable[str] | None) -> pd.DataFrame:
    """Deduplicate images by OCID (a readable row wins) and add referenced-but-absent OCIDs."""
    frame = images.copy()
    frame["lookup_status"] = frame["lookup_status"].astype("string")
    if not (frame["image_id"].notna().all() and frame["image_id"].is_unique):
        # A readable row beats a failed look-up of the same image from another region.
        rank = frame["lookup_status"].fillna("ok").str.lower().ne("ok").astype(int)
        frame = (frame.assign(_rank=rank)
                 .sort_values(["image_id", "_rank", "region"], kind="stable", na_position="last")
                 .drop_duplicates("image_id").drop(columns="_rank"))
        frame = frame[frame["image_id"].notna()]
    if referenced is not None:
        wanted = pd.Series(pd.unique(pd.Series(list(referenced), dtype="string").dropna()), dtype="string")
        absent = wanted[~wanted.isin(frame["image_id"])]
        if len(absent):
            extra = pd.DataFrame({"image_id": absent, "lookup_status": "missing"})
            frame = pd.concat([frame, extra.astype({"lookup_status": "string"})], ignore_index=True)
    return frame.reset_index(drop=True)


#: look-ups whose failure leaves an image's origin unknown (the errors row names the image)
LOOKUP_OPERATIONS = ("GetImage", "ListListings")


def mark_failed_lookups(images: pd.DataFrame, errors: pd.DataFrame) -> pd.DataFrame:
    """Return ``images`` with lookup_status ``error`` for every image whose GetImage or Marketplace
    ListListings failed (an ``errors`` row naming it), adding a row for images GetImage never returned.

    A failed listing look-up could hide a partner image behind a root that looks like a platform
    image, so such an image is unknown, never platform.
    """
    # the errors table is small (one row per failed call): read it row by row
    failed = pd.Index(sorted({str(r) for op, r in zip(errors["operation"], errors["resource_id"], strict=True)
                              if op in LOOKUP_OPERATIONS and isinstance(r, str)}))
    if failed.empty:
        return images
    out = images.copy()
    out["lookup_status"] = out["lookup_status"].astype("string").mask(out["image_id"].isin(failed), "error")
    absent = failed[~failed.isin(out["image_id"].astype(str))]
    if len(absent):
        extra = pd.DataFrame({"image_id": pd.array(absent, dtype="string"),
                              "lookup_status": pd.array(["error"] * len(absent), dtype="string")})
        out = pd.concat([out, extra], ignore_index=True)
    return out


def _reasons(frame: pd.DataFrame, image_class: np.ndarray, root_kind: np.ndarray, root_ids: np.ndarray,
             depth: np.ndarray, status: np.ndarray, base_missing: np.ndarray, looped: np.ndarray,
             root_overridden: np.ndarray, note: np.ndarray) -> pd.Series:
    """One sentence per image saying which evidence decided its class."""
    image_id = frame["image_id"].to_numpy(object)
    listing = frame["marketplace_listing_id"].to_numpy(object)
    publisher = frame["marketplace_publisher"].to_numpy(object)

    def chain(rows: np.ndarray) -> list:
        return [" (", at(depth, rows), " base_image_id step(s) to root ", at(root_ids, rows), ")"]

    unknown_root = root_kind == ImageClass.UNKNOWN.value
    is_ = lambda cls: image_class == cls.value  # noqa: E731 - local shorthand
    cases = [
        (looped, lambda r: ["base_image_id chain of ", at(image_id, r), f" loops or is longer than "
         f"{MAX_CHAIN_DEPTH} steps: eligibility unknown; add the image to data/image_overrides.csv if you know "
         "its origin"]),
        (base_missing, lambda r: ["base image ", at(root_ids, r), " of ", at(image_id, r),
                                  " is not in the inventory: eligibility unknown"]),
        (root_overridden & (depth == 0), lambda r: ["overridden as ", at(image_class, r), " in image_overrides.csv: ",
                                                    at(note, r)]),
        (root_overridden, lambda r: ["root image ", at(root_ids, r), " overridden in image_overrides.csv (",
                                     at(note, r), ")", chain(r), ": ", at(image_class, r)]),
        (unknown_root & (depth == 0) & (status == "not_found"), lambda r: ["image ", at(image_id, r),
                                                                           " was not found (deleted or not "
                                                                           "visible): eligibility cannot be inferred"]),
        (unknown_root & (depth == 0) & (status == "missing"), lambda r: ["image ", at(image_id, r),
                                                                         " was not looked up by collect: "
                                                                         "eligibility unknown"]),
        (unknown_root & (depth == 0), lambda r: ["image ", at(image_id, r),
                                                 " could not be read (GetImage or its Marketplace ListListings "
                                                 "look-up failed, see errors): "
         "eligibility unknown"]),
        (unknown_root, lambda r: ["image ", at(root_ids, r), " in the base chain of ", at(image_id, r),
                                  " could not be read", chain(r), ": eligibility unknown"]),
        (is_(ImageClass.PLATFORM), lambda r: "Oracle platform image (no compartment, listing type NONE, "
         "no Marketplace listing): backups can be copied"),
        (is_(ImageClass.CUSTOM_FROM_PLATFORM), lambda r: ["custom image built from platform image ", at(root_ids, r),
                                                          chain(r), ": backups can be copied"]),
        (is_(ImageClass.CUSTOM_IMPORTED) & (depth == 0), lambda r: ["custom image with no base image (imported): ",
                                                                    _NOT_COPYABLE]),
        (is_(ImageClass.CUSTOM_IMPORTED), lambda r: ["custom image whose chain ends at imported image ",
                                                     at(root_ids, r), chain(r), ": ", _NOT_COPYABLE]),
        (is_(ImageClass.MARKETPLACE), lambda r: ["published by Marketplace listing ", at(listing, r), " (",
                                                 at(publisher, r), "): Marketplace images cannot be copied"]),
        (is_(ImageClass.CUSTOM_FROM_MARKETPLACE), lambda r: ["custom image built from Marketplace image ",
                                                             at(root_ids, r), chain(r),
                                                             ": Marketplace images cannot be copied"]),
        (is_(ImageClass.COMMUNITY) & (depth == 0), lambda r: ["community image (listing type COMMUNITY): ",
                                                              _NOT_COPYABLE]),
        (is_(ImageClass.COMMUNITY), lambda r: ["custom image built from community image ", at(root_ids, r), chain(r),
                                               ": ", _NOT_COPYABLE]),
    ]
    return compose_text(cases, len(frame))


def _empty_overrides() -> pd.DataFrame:
    return _EMPTY_OVERRIDES.copy(deep=False)


_EMPTY_OVERRIDES = pd.DataFrame({c: pd.Series([], dtype="string") for c in OVERRIDE_COLUMNS})


def validate_image_overrides(overrides: pd.DataFrame, *, source: str = "image overrides") -> pd.DataFrame:
    """Return overrides as (image_id, image_class, note) strings, or raise InputError naming the bad row.

    Rules: the three columns exist; image_id is non-empty; image_class is an ImageClass value;
    an image appears once.
    """
    missing = [c for c in OVERRIDE_COLUMNS[:2] if c not in overrides.columns]
    if missing:
        raise InputError(f"{source}: missing column(s) {missing}; expected header: image_id,image_class,note")
    frame = pd.DataFrame({c: (overrides[c] if c in overrides.columns else pd.Series(pd.NA, index=overrides.index))
                          .astype("string").str.strip() for c in OVERRIDE_COLUMNS}).reset_index(drop=True)
    empty = frame["image_id"].fillna("").eq("")
    if empty.any():
        raise InputError(f"{source}: row {int(empty.idxmax()) + 1} has an empty image_id; give the image OCID")
    bad = ~frame["image_class"].isin(_CLASSES)
    if bad.any():
        row = int(bad.idxmax())
        raise InputError(f"{source}: row {row + 1} image_class {frame['image_class'][row]!r} is not one of "
                         f"{', '.join(_CLASSES)}")
    dup = frame["image_id"].duplicated()
    if dup.any():
        row = int(dup.idxmax())
        raise InputError(f"{source}: image {frame['image_id'][row]} appears more than once (row {row + 1}); "
                         "keep one line per image")
    return frame


def load_image_overrides(path: str | Path) -> pd.DataFrame:
    """I/O: read an overrides CSV (``#`` lines are comments) and return the validated frame.

    Raises InputError when the file is missing, unreadable, or breaks a rule of
    :func:`validate_image_overrides`.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, comment="#", dtype="string", skip_blank_lines=True, keep_default_na=False)
    except FileNotFoundError as exc:
        raise InputError(f"image overrides file {path} does not exist; create it with the header "
                         "image_id,image_class,note") from exc
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"image overrides file {path} cannot be read as CSV: {exc}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return validate_image_overrides(frame, source=f"image overrides file {path}")
