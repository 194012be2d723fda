"""``kure eval ask``: ask every question of a SQuAD file and check the answers against its gold paragraphs.

The file's paragraphs must have been imported with ``kure import squad`` (and indexed). For each question the
gold section is the paragraph it was written about; the cited sections, in order, are the ranking that recall@1
and recall@5 are measured on. An answer "contains" the gold answer when one of the gold answer texts appears
in it, compared without case and with whitespace runs made one space.

``questions`` replaces the file's questions by index (the position of the question in the file, from 0): a
tab-separated file of ``index<TAB>question``, used to ask the same questions in another language.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..articles import squad_io
from ..core.errors import InvalidInput, KureError
from ..core.text import lower
from .services import ask


@dataclass
class Case:
    index: int
    question: str
    slug: str
    anchor: str
    answers: list[str]
    gold_text: str


@dataclass
class Result:
    questions: int = 0
    first: int = 0
    top5: int = 0
    contains: int = 0
    found: int = 0
    # The first citation is another section that holds the gold answer's sentence word for word (the data set
    # repeats some paragraphs); reported beside the strict figure, never instead of it.
    first_duplicate: int = 0
    # The gold section was not cited first, yet the answer holds the gold answer text: another section (often
    # another article on the same subject) says the same.
    missed_but_contains: int = 0
    errors: int = 0
    seconds: list[float] = field(default_factory=list)
    misses: list[tuple[Case, list[str], str]] = field(default_factory=list)

    def share(self, n: int) -> float:
        return 100.0 * n / max(self.questions, 1)

    def percentile(self, p: float) -> float:
        if not self.seconds:
            return 0.0
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def read_questions(path: str | Path) -> dict[int, str]:
    out = {}
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InvalidInput(f"Cannot read “{path}”: {exc.strerror or exc}.") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        index, _, text = line.partition("\t")
        if not index.strip().isdigit() or not text.strip():
            raise InvalidInput(f"Line {number} of “{path}” is not “index<TAB>question”.")
        out[int(index)] = text.strip()
    return out


def cases(path: str | Path, questions: dict[int, str] | None = None) -> list[Case]:
    out: list[Case] = []
    index = 0
    for title in squad_io.read(path):
        slug, article = squad_io._address(title.title)
        if article is None:
            raise InvalidInput(f"“{title.title}” is not imported: run `kure import squad {path} --publish` first.")
        for paragraph in title.paragraphs:
            for question in paragraph.questions:
                text = question.text if questions is None else questions.get(index)
                if text:
                    out.append(Case(index=index, question=text, slug=slug, anchor=paragraph.anchor,
                                    answers=question.answers, gold_text=paragraph.text))
                index += 1
    return out


def _normal(text: str) -> str:
    return " ".join(lower(text, "tr").replace("’", "'").split())


def _letters(text: str) -> str:
    """Only the letters and digits, lower-cased: two copies of a sentence compare equal whatever the spacing."""
    return "".join(ch for ch in lower(text, "tr") if ch.isalnum())


def _answer_sentence(case: Case) -> str:
    """The sentence of the gold paragraph that holds the answer, for spotting verbatim duplicates."""
    text = case.gold_text
    for answer in case.answers:
        at = text.find(answer)
        if at >= 0:
            start = max(text.rfind(".", 0, at), text.rfind("\n", 0, at)) + 1
            end = text.find(".", at + len(answer))
            return text[start:end if end >= 0 else len(text)].strip()
    return ""


def evaluate(items: list[Case], *, language: str, progress: Callable[[int, int], None] | None = None) -> Result:
    result = Result()
    for done, case in enumerate(items, 1):
        started = time.perf_counter()
        try:
            answer = ask(question=case.question, language=language, log_question=False)
        except KureError:
            result.errors += 1
            answer = None
        result.seconds.append(time.perf_counter() - started)
        result.questions += 1
        if answer is not None:
            cited = [(c.slug, c.position) for c in answer.citations]
            gold = (case.slug, int(case.anchor.rsplit("-", 1)[1]) - 1)
            result.found += answer.found
            result.first += bool(cited) and cited[0] == gold
            result.top5 += gold in cited[:5]
            spoken = _normal(answer.text)
            hit = any(_normal(a) in spoken for a in case.answers if a.strip())
            result.contains += hit
            sentence = _answer_sentence(case)
            if cited and cited[0] != gold and sentence and answer.citations and \
                    _letters(sentence) in _letters(_section_text(answer.citations[0])):
                result.first_duplicate += 1
            if not cited or cited[0] != gold:
                result.misses.append((case, [f"{s}#{p}" for s, p in cited], answer.text))
                result.missed_but_contains += hit
        if progress:
            progress(done, len(items))
    return result


def _section_text(citation) -> str:
    from ..search.models import IndexedSection

    row = IndexedSection.objects.filter(article__slug=citation.slug, language=citation.language,
                                        position=citation.position).values_list("text", flat=True).first()
    return row or ""


def report(result: Result, *, label: str) -> list[str]:
    return [
        f"{label}: {result.questions} questions",
        f"recall@1 {result.share(result.first):.1f}%  recall@5 {result.share(result.top5):.1f}%  "
        f"(first citation is a verbatim duplicate of the gold sentence: {result.share(result.first_duplicate):.1f}%"
        f" more)",
        f"answer contains the gold answer {result.share(result.contains):.1f}%  found {result.share(result.found):.1f}%"
        f"  errors {result.errors}",
        f"gold section not first, but the answer still contains the gold answer: "
        f"{result.share(result.missed_but_contains):.1f}%",
        f"latency p50 {result.percentile(50):.0f} ms  p95 {result.percentile(95):.0f} ms",
    ]

