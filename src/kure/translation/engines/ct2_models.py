"""CTranslate2 model directories: what a valid one holds, and installing one from a directory, archive or URL.

A model directory the engine can use holds, side by side:

* ``model.bin`` and ``config.json`` — the CTranslate2 model;
* ``shared_vocabulary.json`` (or ``.txt``), or ``source_vocabulary.*`` and ``target_vocabulary.*``;
* the SentencePiece model(s): ``source.spm`` and ``target.spm`` (OPUS-MT/Marian), or one shared
  ``sentencepiece.model``, ``spm.model`` or ``sentencepiece.bpe.model`` (Argos Translate, NLLB);
* optionally ``metadata.json`` (Argos: ``from_code``, ``to_code``, ``package_version``) or ``README.md``,
  from which a version is read for the translations' origin.

``install_model`` accepts such a directory, an Argos Translate ``.argosmodel`` package (a zip whose single
top-level folder holds ``model/``, ``sentencepiece.model`` and ``metadata.json``), a ``.zip``/``.tar.gz`` of a
model directory, or an http(s) URL of one of those files. It normalises the layout (SentencePiece model next
to ``model.bin``), validates it with the same validator the engine uses, and moves it into place atomically.
Nothing here imports CTranslate2: installing works on a machine that only prepares models.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import stat
import tarfile
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from kure.translation.engines.base import EngineNotConfigured

__all__ = [
    "DOWNLOAD_TIMEOUT",
    "InvalidModelDirectory",
    "ModelInstallError",
    "ModelLayout",
    "install_model",
    "model_languages",
    "settings_snippet",
    "validate_model_dir",
]

#: seconds to wait for a connection or for data: a machine without internet must hear so quickly
DOWNLOAD_TIMEOUT = 15.0

SHARED_SP_NAMES = ("sentencepiece.model", "spm.model", "sentencepiece.bpe.model")
SOURCE_SP_NAMES = ("source.spm",)
TARGET_SP_NAMES = ("target.spm",)
VOCABULARY_SUFFIXES = (".json", ".txt")
#: files kept from an Argos package's top folder besides the SentencePiece model
_SIDE_FILES = ("metadata.json", "README.md")
_ARCHIVE_SUFFIXES = (".argosmodel", ".zip", ".tar.gz", ".tgz", ".tar")
#: FLORES-200 codes NLLB uses, for the languages Küre ships names for
_FLORES = {"tr": "tur_Latn", "en": "eng_Latn", "de": "deu_Latn", "fr": "fra_Latn", "ar": "arb_Arab"}
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

VALID_DIRECTORY_HELP = (
    "A valid directory contains model.bin and config.json (a CTranslate2 model), shared_vocabulary.json "
    "(or source_vocabulary.json and target_vocabulary.json), and the SentencePiece model: source.spm and "
    "target.spm (OPUS-MT), or sentencepiece.model (Argos Translate, NLLB). "
    "`kure translation install-model PATH_OR_URL` installs one from a directory, an .argosmodel or a zip."
)


class ModelInstallError(Exception):
    """A model could not be installed; the message says why and what to do instead."""


class InvalidModelDirectory(EngineNotConfigured, ModelInstallError):
    """A directory is not a usable CTranslate2 model: the engine is not configured, and installing fails."""


@dataclass(frozen=True)
class ModelLayout:
    """What ``validate_model_dir`` found in a valid model directory."""

    path: Path
    sp_source: Path
    sp_target: Path
    shared_vocabulary: bool
    config: dict = field(default_factory=dict)
    #: Argos ``metadata.json`` (empty when absent)
    metadata: dict = field(default_factory=dict)

    @property
    def separate_sentencepiece(self) -> bool:
        """Marian/OPUS-MT style: a SentencePiece model per language."""
        return self.sp_source != self.sp_target

    @property
    def version(self) -> str | None:
        """The model's version from ``metadata.json`` or ``README.md``, when either says."""
        for key in ("package_version", "version"):
            if value := self.metadata.get(key):
                return str(value)
        readme = self.path / "README.md"
        if readme.is_file():
            text = readme.read_text(encoding="utf-8", errors="replace")[:20000]
            # OPUS-MT READMEs name the release of the original weights ("opus-2020-01-16.zip").
            if match := re.search(r"\b(opus(?:[+-][\w+]+)*-\d{4}-\d{2}-\d{2})\b", text):
                return match.group(1)
            if match := re.search(r"(?im)^\W*version\W*[:=]\s*[`\"']?([\w.+-]+)", text):
                return match.group(1)
        return None

    @property
    def name(self) -> str:
        """Stable identity of the model for a translation's origin: directory name, plus version if known."""
        version = self.version
        return f"{self.path.name}@{version}" if version else self.path.name


def _first_existing(directory: Path, names: tuple[str, ...]) -> Path | None:
    return next((directory / name for name in names if (directory / name).is_file()), None)


def _vocabulary(directory: Path, stem: str) -> Path | None:
    return _first_existing(directory, tuple(stem + suffix for suffix in VOCABULARY_SUFFIXES))


def _resolve_override(directory: Path, value: str | Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else directory / path


def _read_json(path: Path, problems: list[str]) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        problems.append(f"{path.name} is not readable JSON ({exc})")
        return {}
    if not isinstance(data, dict):
        problems.append(f"{path.name} does not hold a JSON object")
        return {}
    return data


def validate_model_dir(
    path: str | Path,
    *,
    sp_source_model: str | Path | None = None,
    sp_target_model: str | Path | None = None,
    label: str | None = None,
) -> ModelLayout:
    """Check that ``path`` is a usable CTranslate2 model directory and say which files it uses.

    ``sp_source_model``/``sp_target_model`` override the SentencePiece discovery (relative to ``path`` or
    absolute). ``label`` names the directory in messages (the installer's staging directory means nothing to
    the person installing). Raises ``InvalidModelDirectory`` naming everything that is missing.
    """
    directory = Path(path).expanduser()
    label = label or str(directory)
    if not directory.is_dir():
        hint = ""
        if directory.is_file() and directory.name.endswith(_ARCHIVE_SUFFIXES):
            hint = " It is an archive: install it first with `kure translation install-model`."
        raise InvalidModelDirectory(
            f"The CTranslate2 model directory {label} does not exist or is not a directory.{hint} "
            f"{VALID_DIRECTORY_HELP}"
        )

    problems: list[str] = []
    model_bin = directory / "model.bin"
    if not model_bin.is_file():
        problems.append("model.bin is missing")
    elif model_bin.stat().st_size == 0:
        problems.append("model.bin is empty")
    config: dict = {}
    if not (directory / "config.json").is_file():
        problems.append("config.json is missing")
    else:
        config = _read_json(directory / "config.json", problems)

    shared = _vocabulary(directory, "shared_vocabulary") is not None
    if not shared:
        missing = [stem for stem in ("source_vocabulary", "target_vocabulary") if _vocabulary(directory, stem) is None]
        if missing:
            problems.append(
                "the vocabulary is missing (shared_vocabulary.json, or source_vocabulary.json and "
                "target_vocabulary.json)"
            )

    sp_source = _resolve_override(directory, sp_source_model) if sp_source_model else None
    sp_target = _resolve_override(directory, sp_target_model) if sp_target_model else None
    for option, override in (("sp_source_model", sp_source), ("sp_target_model", sp_target)):
        if override is not None and not override.is_file():
            problems.append(f"the SentencePiece model set as {option} ({override}) does not exist")
    if sp_source is None or sp_target is None:
        # Separate models win over a shared one: OPUS-MT directories converted by hand sometimes carry both.
        discovered_source = _first_existing(directory, SOURCE_SP_NAMES)
        discovered_target = _first_existing(directory, TARGET_SP_NAMES)
        shared_sp = _first_existing(directory, SHARED_SP_NAMES)
        sp_source = sp_source or discovered_source or shared_sp
        sp_target = sp_target or discovered_target or shared_sp
        if sp_source is None or sp_target is None:
            problems.append(
                "the SentencePiece model is missing (source.spm and target.spm, or sentencepiece.model; "
                "or set sp_source_model/sp_target_model)"
            )

    if problems:
        hint = ""
        if (directory / "model" / "model.bin").is_file():
            hint = (" It looks like an unpacked Argos Translate package (the model is in model/): install it "
                    "with `kure translation install-model` to get a usable directory.")
        raise InvalidModelDirectory(
            f"The CTranslate2 model {label} is not usable: {'; '.join(problems)}.{hint} "
            f"{VALID_DIRECTORY_HELP}"
        )

    metadata: dict = {}
    if (directory / "metadata.json").is_file():
        metadata = _read_json(directory / "metadata.json", [])
    assert sp_source is not None and sp_target is not None  # for the type checker: problems would be non-empty
    return ModelLayout(path=directory, sp_source=sp_source, sp_target=sp_target, shared_vocabulary=shared,
                       config=config, metadata=metadata)


def model_languages(path: str | Path) -> tuple[str, str] | None:
    """The (source, target) codes an Argos ``metadata.json`` declares, if the directory has one."""
    metadata_file = Path(path) / "metadata.json"
    if not metadata_file.is_file():
        return None
    metadata = _read_json(metadata_file, [])
    source, target = metadata.get("from_code"), metadata.get("to_code")
    return (str(source), str(target)) if source and target else None


def settings_snippet(path: str | Path, source: str | None = None, target: str | None = None) -> str:
    """The settings entry that makes the engine serve ``source``→``target`` with the model at ``path``.

    Codes default to those of the model's ``metadata.json``; without them the pair reads ``SOURCE-TARGET``.
    """
    path = Path(path)
    if not (source and target) and (languages := model_languages(path)):
        source, target = source or languages[0], target or languages[1]
    pair = f"{source or 'SOURCE'}-{target or 'TARGET'}"
    options = f'"model_dir": {json.dumps(str(path))}'
    comment = ""
    if "nllb" in path.name.lower():
        # NLLB is multilingual: it must be told both languages, as FLORES-200 tokens.
        flores_source = _FLORES.get(source or "", "xxx_Xxxx")
        flores_target = _FLORES.get(target or "", "xxx_Xxxx")
        options += f', "source_prefix": "{flores_source}", "target_prefix": "{flores_target}"'
        comment = "    # NLLB: source_prefix/target_prefix are the FLORES-200 codes of the pair's languages.\n"
    return (
        "KURE_TRANSLATION_ENGINES = {\n"
        f"{comment}"
        f'    "{pair}": {{\n'
        '        "BACKEND": "kure.translation.engines.ctranslate2.CTranslate2Engine",\n'
        f"        \"OPTIONS\": {{{options}}},\n"
        "    },\n"
        "}\n"
    )


# ---------------------------------------------------------------------------------------------------------------
# Installing


def _is_url(value: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", value))


def _archive_stem(filename: str) -> str:
    for suffix in _ARCHIVE_SUFFIXES:
        if filename.lower().endswith(suffix):
            return filename[: -len(suffix)]
    return Path(filename).stem


def _check_name(name: str) -> str:
    if not _NAME_RE.match(name) or name in {".", ".."}:
        raise ModelInstallError(
            f"{name!r} cannot name a model directory: use letters, digits, '.', '_' and '-' (e.g. opus-mt-tr-en)."
        )
    return name


def _resolve(host: str, port: int, timeout: float) -> None:
    """Look ``host`` up within ``timeout`` seconds.

    Socket timeouts do not cover name resolution, and an offline machine's resolver may wait far longer than
    anyone should; so the lookup runs in a daemon thread that is abandoned if it does not answer in time.
    """
    outcome: list[BaseException | None] = []

    def lookup() -> None:
        try:
            socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            outcome.append(None)
        except OSError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=lookup, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise TimeoutError(f"looking up {host} took more than {timeout:g} s")
    if outcome[0] is not None:
        raise outcome[0]


def _download(url: str, destination_dir: Path, *, timeout: float) -> Path:
    """Fetch ``url`` into ``destination_dir``; a machine without internet fails within ``timeout`` seconds."""
    parsed = urllib.parse.urlparse(url)
    filename = PurePosixPath(parsed.path).name or "model.download"
    destination = destination_dir / filename
    request = urllib.request.Request(url, headers={"User-Agent": "kure-model-installer"})
    try:
        if parsed.hostname:
            _resolve(parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80), timeout)
        with urllib.request.urlopen(request, timeout=timeout) as response, destination.open("wb") as out:
            shutil.copyfileobj(response, out, length=1024 * 1024)
    except urllib.error.HTTPError as exc:
        raise ModelInstallError(
            f"could not download {url}: HTTP {exc.code} {exc.reason}; download the file elsewhere and pass its path"
        ) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:  # refused, unreachable, DNS, timeout, bad URL
        reason = getattr(exc, "reason", None) or exc or type(exc).__name__
        raise ModelInstallError(
            f"could not download {url}: {reason}; download the file elsewhere and pass its path"
        ) from exc
    return destination


def _unsafe_member(name: str) -> bool:
    """True for archive member names that would land outside the extraction directory (zip-slip)."""
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or re.match(r"^[A-Za-z]:", normalised):
        return True
    return ".." in PurePosixPath(normalised).parts


def _extract_zip(archive: Path, destination: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            if _unsafe_member(info.filename):
                raise ModelInstallError(f"{archive.name} is refused: its member {info.filename!r} would be written "
                                        "outside the model directory")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise ModelInstallError(f"{archive.name} is refused: its member {info.filename!r} is a symbolic link")
        zf.extractall(destination)


def _extract_tar(archive: Path, destination: Path) -> None:
    with tarfile.open(archive) as tf:
        members = tf.getmembers()
        for member in members:
            if _unsafe_member(member.name):
                raise ModelInstallError(f"{archive.name} is refused: its member {member.name!r} would be written "
                                        "outside the model directory")
            if not (member.isfile() or member.isdir()):
                raise ModelInstallError(f"{archive.name} is refused: its member {member.name!r} is not a regular "
                                        "file or directory")
        if hasattr(tarfile, "data_filter"):  # Python ≥ 3.11.4: a second line of defence
            tf.extractall(destination, members=members, filter="data")
        else:  # pragma: no cover - older Pythons; every member was checked above
            tf.extractall(destination, members=members)


def _extract(archive: Path, destination: Path) -> None:
    destination.mkdir()
    try:
        if zipfile.is_zipfile(archive):
            _extract_zip(archive, destination)
        elif tarfile.is_tarfile(archive):
            _extract_tar(archive, destination)
        else:
            raise ModelInstallError(
                f"{archive} is neither a model directory nor an archive (.argosmodel, .zip, .tar.gz)."
            )
    except (zipfile.BadZipFile, tarfile.TarError, EOFError) as exc:
        raise ModelInstallError(f"{archive} is a damaged archive: {exc}") from exc


def _model_dirs(root: Path, depth: int = 3) -> Iterator[Path]:
    """Directories under ``root`` (itself included) that hold a ``model.bin``, to ``depth`` levels."""
    if (root / "model.bin").is_file():
        yield root
    if depth:
        for child in sorted(root.iterdir()):
            if child.is_dir() and not child.is_symlink() and not child.name.startswith(("__MACOSX", ".")):
                yield from _model_dirs(child, depth - 1)


def _normalise(tree: Path, destination: Path, *, origin: str) -> None:
    """Copy the model found in ``tree`` into ``destination`` with the SentencePiece model beside model.bin.

    Handles a plain model directory, a folder wrapping one, and the Argos layout (``model/`` beside
    ``sentencepiece.model`` and ``metadata.json``).
    """
    found = list(_model_dirs(tree))
    if not found:
        raise ModelInstallError(f"{origin} holds no CTranslate2 model (no model.bin). {VALID_DIRECTORY_HELP}")
    if len(found) > 1:
        listed = ", ".join(str(path.relative_to(tree)) for path in found)
        raise ModelInstallError(f"{origin} holds several CTranslate2 models ({listed}); install them one by one.")
    model_dir = found[0]
    shutil.copytree(model_dir, destination, symlinks=False)
    # Argos keeps the SentencePiece model and metadata one level up, beside model/.
    if model_dir != tree:
        parent = model_dir.parent
        for name in (*SHARED_SP_NAMES, *SOURCE_SP_NAMES, *TARGET_SP_NAMES, *_SIDE_FILES):
            if (parent / name).is_file() and not (destination / name).exists():
                shutil.copy2(parent / name, destination / name)


def install_model(
    path_or_url: str | Path,
    *,
    models_root: Path,
    name: str | None = None,
    replace: bool = False,
    timeout: float = DOWNLOAD_TIMEOUT,
) -> Path:
    """Install a CTranslate2 model into ``models_root/<name>`` and return that directory.

    ``path_or_url`` is a model directory, an ``.argosmodel``/``.zip``/``.tar.gz`` file, or an http(s) URL of
    such a file. ``name`` defaults to the directory's or file's name. An existing model of that name is only
    overwritten with ``replace=True``. Raises ``ModelInstallError`` (``InvalidModelDirectory`` when what was
    given is not a usable model) with a message meant for the person installing.
    """
    source = str(path_or_url)
    models_root = Path(models_root).expanduser()
    is_url = _is_url(source)
    if is_url:
        scheme = urllib.parse.urlparse(source).scheme.lower()
        if scheme not in {"http", "https"}:
            raise ModelInstallError(f"cannot install from {source}: only http(s) URLs and local paths are supported")
        default_name = _archive_stem(PurePosixPath(urllib.parse.urlparse(source).path).name)
    else:
        local = Path(source).expanduser()
        if not local.exists():
            raise ModelInstallError(f"{local} does not exist")
        default_name = local.resolve().name if local.is_dir() else _archive_stem(local.name)
    name = _check_name(name or default_name or "model")
    target = models_root / name
    if target.exists() and not replace:
        # Checked before any download or copy: the answer does not depend on them.
        raise ModelInstallError(f"{target} already exists; pass replace=True (--replace) to overwrite it")

    models_root.mkdir(parents=True, exist_ok=True)
    # Staged inside models_root so the final move is a rename on the same filesystem: atomic, never half-done.
    staging = Path(tempfile.mkdtemp(prefix=f".install-{name}-", dir=models_root))
    try:
        if is_url:
            local = _download(source, staging, timeout=timeout)
        normalised = staging / "model"
        if local.is_dir():
            _normalise(local, normalised, origin=str(local))
        else:
            unpacked = staging / "unpacked"
            _extract(local, unpacked)
            _normalise(unpacked, normalised, origin=local.name)
        validate_model_dir(normalised, label=source)

        if target.exists():  # replace=True
            retired = staging / "replaced"
            target.rename(retired)
            try:
                normalised.rename(target)
            except OSError:
                retired.rename(target)  # put the previous model back rather than leave none
                raise
        else:
            normalised.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
