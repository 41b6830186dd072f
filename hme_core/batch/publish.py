"""`hme publish`: copy exactly the publishable files of a year's reports to a shared folder.

Publishable are the index pages (`index.html`, `index.en.html`) and each unit folder's reports
in every language (`report.html`, `report.pdf`, `report.en.html`, `report.en.pdf`). The executed notebooks (`report.ipynb`, which hold the code and its outputs), the
cache keys and anything else are never copied; symbolic links are refused, not followed. The
copy is built in a temporary folder next to the target and renamed into place, so readers of
`DIR/<year>/` see the old publication or the whole new one, never a mix (between the two renames
that replace an earlier publication the folder is briefly absent). Files get the
ordinary published mode (0644 under umask 022).

Only what the current store, params and code would render is published (`check_reports`): a
unit report whose cache key differs from the key computed now from the store (new answers, a
corrected tree, a raised `min_n_index` and a rescore, an edited narrative, a new version of
hme) is refused, naming it and the command that renders it again, or left out with
`skip_stale`; an index page older than the store is refused; the folder of a unit no longer in
the year's tree is always left out, and named. The publication is recorded in the store
(`Store.record_publication`): a later rescore of the year keeps consistent with it
(`disclosure.releases`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hme_core.atomic import current_umask, public_mode
from hme_core.batch.keys import index_key_file_name, key_file_name, year_keys
from hme_core.errors import HMEError
from hme_core.i18n import LANGS
from hme_core.unit_files import DEFAULT_LANG, index_file, report_file

PUBLISHED_IN_UNIT = tuple(report_file(ext, lang) for lang in LANGS for ext in ("html", "pdf"))
INDEX_PAGES = tuple(index_file(lang) for lang in LANGS)


def publishable_files(source: Path) -> list[Path]:
    """The files of `source` (outputs/reports/<year>) to publish, relative to it."""
    if source.is_symlink() or not (source / "index.html").is_file():
        raise HMEError(f"{source}: no index.html here; run 'hme reports --year ...' first")
    files = [Path(name) for name in INDEX_PAGES if (source / name).is_file()]
    for folder in sorted(p for p in source.iterdir() if p.is_dir() or p.is_symlink()):
        if folder.name.startswith("."):
            continue
        for name in PUBLISHED_IN_UNIT:
            path = folder / name
            if path.is_symlink() or folder.is_symlink():
                raise HMEError(f"{path}: is a symbolic link; hme publishes only real files")
            if path.is_file():
                files.append(path.relative_to(source))
    return files


@dataclass
class Check:
    """What `check_reports` found: files to publish and what is left out, with why."""

    files: list[Path]
    orphans: list[str] = field(default_factory=list)  # folders of units not in the tree
    stale: dict[str, list[str]] = field(default_factory=dict)  # lang -> units' codes
    version: int = 0

    def left_out(self) -> str:
        """One paragraph naming what was left out ('' when nothing was)."""
        lines = []
        if self.orphans:
            lines.append(f"Left out {len(self.orphans)} folder(s) of units no longer in the "
                         f"year's org tree: {_listed(self.orphans)}.")
        for lang, units in self.stale.items():
            lines.append(f"Left out {len(units)} report(s) older than the store{_in(lang)}: "
                         f"{_listed(units)}.")
        return "\n".join(lines)


def _listed(names: list[str], limit: int = 20) -> str:
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _in(lang: str) -> str:
    return "" if lang == DEFAULT_LANG else f" ({lang})"


def check_reports(source: Path, year: int, db: Path, skip_stale: bool = False) -> Check:
    """The files of `source` to publish, checked against the store at `db`: every report's
    cache key and the index page's key recomputed from the store, params and code now, every
    folder's unit looked up in the year's tree. Raises `HMEError` for stale reports (unless
    `skip_stale`) and for a stale index page, naming the command that renders them."""
    from hme_core.batch.run import REPORT_NOTEBOOK
    from hme_core.paths import notebooks_dir
    from hme_core.store.duckdb_store import Store

    files = publishable_files(source)
    with Store.open(db, read_only=True) as store:
        store.require_current_results(year)
        keys = year_keys(store, year, notebooks_dir() / REPORT_NOTEBOOK)
        index_keys = {lang: keys.index_key(store, lang) for lang in LANGS}
        version = store.version()
    unit_of = {folder: unit for unit, folder in keys.folders[year].items()}
    check = Check([], version=version)
    stale_index = []
    for rel in files:
        if len(rel.parts) == 1:  # an index page
            lang = next(lang for lang in LANGS if index_file(lang) == rel.name)
            if _read_key(source / index_key_file_name(lang)) != index_keys[lang]:
                stale_index.append(lang)
            check.files.append(rel)
            continue
        folder = rel.parts[0]
        if folder not in unit_of:
            if folder not in check.orphans:
                check.orphans.append(folder)
            continue
        lang = next(lang for lang in LANGS if rel.name in _unit_files(lang))
        formats = [f for f in ("html", "pdf") if (source / folder / report_file(f, lang)).is_file()]
        key = keys.key(unit_of[folder], lang, formats)
        if _read_key(source / folder / key_file_name(lang)) != key:
            units = check.stale.setdefault(lang, [])
            if unit_of[folder] not in units:
                units.append(unit_of[folder])
            continue
        check.files.append(rel)
    if check.stale and not skip_stale:
        commands = " and ".join(
            f"'hme reports --year {year} --units {','.join(units)}{_lang_option(lang)}'"
            for lang, units in check.stale.items())
        raise HMEError(
            f"{source}: {sum(map(len, check.stale.values()))} report(s) are older than the "
            f"store, its params or hme (new answers, a changed tree or rules, an edited "
            f"narrative) and may show values it now hides: "
            + "; ".join(f"{_listed(units)}{_in(lang)}" for lang, units in check.stale.items())
            + (" (and the index page)" if stale_index else "")
            + f". Render them again with {commands}"
            + (f" (or all: 'hme reports --year {year}')" if stale_index else "")
            + ", then publish; or publish without them with --skip-stale.")
    if stale_index:
        raise HMEError(
            f"{source}: the index page ({', '.join(stale_index)}) is older than the store; it "
            f"may list values the store now hides. Run "
            + " and ".join(f"'hme reports --year {year}{_lang_option(lang)}'"
                           for lang in stale_index) + ", then publish again.")
    return check


def _lang_option(lang: str) -> str:
    return "" if lang == DEFAULT_LANG else f" --lang {lang}"


def _unit_files(lang: str) -> tuple[str, str]:
    return report_file("html", lang), report_file("pdf", lang)


def _read_key(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() if path.is_file() else None
    except (OSError, UnicodeDecodeError):
        return None


def publish(source: Path, target_root: Path, year: int, db: Path | None = None,
            skip_stale: bool = False) -> tuple[Path, int, str]:
    """Copy the publishable files of `source` to `target_root/<year>`, atomically, after
    `check_reports` against the store at `db` (default: the default store); record the
    publication in the store. Returns the target, the number of files and what was left out."""
    from hme_core.paths import default_db

    db = Path(db) if db is not None else default_db()
    check = check_reports(source, year, db, skip_stale)
    files = check.files
    target_root.mkdir(parents=True, exist_ok=True)
    target = target_root / str(year)
    if target.is_symlink():
        raise HMEError(f"{target}: is a symbolic link; remove it and publish again")
    staging = Path(tempfile.mkdtemp(prefix=f".tmp-publish-{year}-", dir=target_root))
    old = None
    try:
        mode = public_mode()
        for rel in files:
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / rel, staging / rel, follow_symlinks=False)
            os.chmod(staging / rel, mode)
        for folder in [staging, *(p for p in staging.rglob("*") if p.is_dir())]:
            os.chmod(folder, 0o777 & ~current_umask())
        _record(db, year, target, check.version)  # before the files go out, never after
        if target.exists():
            old = target_root / f".old-publish-{year}-{os.getpid()}"
            os.replace(target, old)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and not target.exists():
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target, len(files), check.left_out()


def _record(db: Path, year: int, target: Path, version: int) -> None:
    """Record the publication of `year`'s results in the store, which must still be the
    version the reports were checked against (an ingest meanwhile: nothing is published)."""
    from hme_core.store.duckdb_store import RESULT_TABLES, Store

    with Store.open(db) as store:
        if store.version() != version:
            raise HMEError(f"{db}: the store was written while publishing; run 'hme reports "
                           f"--year {year}' again, then publish")
        store.record_publication(year, str(target), {
            name: store.load_result(name, year) for name in RESULT_TABLES}, version)
