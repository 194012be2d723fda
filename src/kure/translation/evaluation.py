"""Measuring translation: an engine against reference translations, and what segmentation and reassembly lose.

Scores are sacreBLEU's chrF and BLEU (corpus level). The fidelity check builds Markdown articles from parallel
sentences (headings, paragraphs, lists, emphasis, links, footnotes), puts the pairs in the translation memory,
translates the source articles from memory alone through the real segmenter and reassembly, and scores the
rendered translation against the reference articles rendered the same way. A perfect pipeline scores 100.
"""

import html
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

import sacrebleu
from django.db import transaction

from ..articles.markup import render
from . import memory
from .engines.base import TranslationEngine
from .models import Origin
from .segments import segment_markdown


@dataclass(frozen=True)
class Scores:
    segments: int
    chrf: float
    bleu: float
    seconds: float

    @property
    def segments_per_second(self) -> float:
        return self.segments / self.seconds if self.seconds else float("inf")


def read_lines(path) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in handle]


def check_parallel(sources: Sequence[str], references: Sequence[str]) -> None:
    if len(sources) != len(references):
        raise ValueError(f"The source has {len(sources)} lines and the reference {len(references)}: "
                         "they must be line-aligned.")
    if not sources:
        raise ValueError("The files are empty.")


def score(hypotheses: Sequence[str], references: Sequence[str]) -> tuple[float, float]:
    chrf = sacrebleu.corpus_chrf(list(hypotheses), [list(references)]).score
    bleu = sacrebleu.corpus_bleu(list(hypotheses), [list(references)]).score
    return chrf, bleu


def evaluate_engine(engine: TranslationEngine, sources: Sequence[str], references: Sequence[str], *,
                    batch_size: int = 32, progress=None) -> Scores:
    check_parallel(sources, references)
    outputs: list[str] = []
    started = time.perf_counter()
    for start in range(0, len(sources), batch_size):
        outputs += engine.translate(list(sources[start:start + batch_size]))
        if progress:
            progress(len(outputs), len(sources))
    seconds = time.perf_counter() - started
    chrf, bleu = score(outputs, references)
    return Scores(segments=len(sources), chrf=chrf, bleu=bleu, seconds=seconds)


# --- fidelity ----------------------------------------------------------------------------------------------

_LAYOUTS = ("heading", "paragraph", "list", "emphasis", "link", "footnote")


def build_article(sentences: Sequence[str], number: int) -> str:
    """A Markdown article from sentences, using every block and inline kind the segmenter handles.

    The same function builds the source article and the reference article from aligned sentences, so both
    have identical markup around corresponding sentences.
    """
    blocks: list[str] = []
    footnotes: list[str] = []
    i, layout = 0, 0
    while i < len(sentences):
        kind = _LAYOUTS[layout % len(_LAYOUTS)]
        layout += 1
        if kind == "heading":
            blocks.append(f"## {_inline(sentences[i])}")
            i += 1
        elif kind == "paragraph":
            # Lines run together in a paragraph only where the source line ends a sentence: a headline
            # without a full stop would otherwise swallow the next line (in both languages, differently).
            run = [sentences[i]]
            while len(run) < 3 and i + len(run) < len(sentences) and _ends_sentence(run[-1]) \
                    and _ends_sentence(sentences[i + len(run)]):
                run.append(sentences[i + len(run)])
            blocks.append(" ".join(_inline(s) for s in run))
            i += len(run)
        elif kind == "list":
            blocks.append("\n".join(f"- {_inline(s)}" for s in sentences[i:i + 3]))
            i += 3
        elif kind == "emphasis":
            blocks.append(f"*{_inline(sentences[i])}*")
            i += 1
        elif kind == "link":
            blocks.append(f"[{_inline(sentences[i])}](https://example.org/{number}/{i})")
            i += 1
        else:
            note = len(footnotes) + 1
            blocks.append(f"{_inline(sentences[i])}[^{note}]")
            if i + 1 < len(sentences):
                footnotes.append(f"[^{note}]: {_inline(sentences[i + 1])}")
            i += 2
    return "\n\n".join(blocks + footnotes) + "\n"


_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")


def _ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text.strip()))


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!])")


_BLOCK_START = re.compile(r"^(\d+)([.)])(\s)|^([-+])(\s)")


def _inline(sentence: str) -> str:
    """A sentence as literal Markdown text: characters that would start markup are escaped."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(sentence.split()))
    # "21. dakikada…" or "- …" at the start of a block would open a list.
    return _BLOCK_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}{m.group(3)}" if m.group(1)
                            else f"\\{m.group(4)}{m.group(5)}", text)


def plain_text(markdown: str, language: str) -> str:
    """What a reader reads: the rendered HTML without tags, whitespace folded."""
    text = re.sub(r"<[^>]+>", " ", render(markdown, language=language).html)
    return " ".join(html.unescape(text).replace("↩︎", " ").split())


@dataclass(frozen=True)
class Fidelity:
    articles: int
    segments: int
    segments_found: int
    chrf: float
    seconds: float


def evaluate_fidelity(sources: Sequence[str], references: Sequence[str], *, source_language: str = "tr",
                      target_language: str = "en", sentences_per_article: int = 24) -> Fidelity:
    """Memory-only translation of built articles against the built reference articles; nothing is kept."""
    check_parallel(sources, references)
    hypotheses, golds = [], []
    total = found_total = 0
    started = time.perf_counter()
    with transaction.atomic():
        for source, reference in zip(sources, references, strict=True):
            memory.store(source_language=source_language, target_language=target_language,
                         source_text=_memory_text(source), target_text=_memory_text(reference),
                         origin=Origin.IMPORTED)
        for number, start in enumerate(range(0, len(sources), sentences_per_article)):
            source_md = build_article(sources[start:start + sentences_per_article], number)
            reference_md = build_article(references[start:start + sentences_per_article], number)
            document = segment_markdown(source_md, language=source_language)
            matches = memory.match_segments(source_language=source_language, target_language=target_language,
                                            segments=[(s.index, s.kind, s.source) for s in document.segments])
            translations = {index: match.target_text for index, match in matches.items()}
            total += len(document.segments)
            found_total += len(translations)
            translated = memory.remove_joined_marks(document.reassemble(translations))
            hypotheses.append(plain_text(translated, target_language))
            golds.append(plain_text(reference_md, target_language))
        transaction.set_rollback(True)  # an evaluation leaves the memory as it found it
    seconds = time.perf_counter() - started
    chrf = sacrebleu.corpus_chrf(hypotheses, [golds]).score
    return Fidelity(articles=len(golds), segments=total, segments_found=found_total, chrf=chrf, seconds=seconds)


def _memory_text(sentence: str) -> str:
    """The unit as the segmenter will see it: the escaped Markdown's text, unescaped again."""
    return " ".join(sentence.split())
