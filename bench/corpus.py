"""Generated encyclopedia articles for benchmarks: Turkish-looking text with the structure of real articles.

Sentences are recombined from the demo articles (shipped with the package), so word lengths, suffixes and
punctuation look like the real thing; every article gets 8 sections and about ``words`` words.
"""

import random
import re
from functools import lru_cache
from pathlib import Path

from kure.core.text import split_sentences

DEMO = Path(__file__).resolve().parents[1] / "src/kure/articles/demo/articles"


@lru_cache(maxsize=1)
def _demo_sentences() -> tuple[str, ...]:
    return tuple(demo_sentences())


def demo_sentences() -> list[str]:
    sentences = []
    for path in sorted(DEMO.glob("*.md")):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        for block in body.split("\n\n"):
            block = block.strip()
            if not block or block[0] in "#|-[*>" or block[:2].isdigit():
                continue
            sentences += [s for s in split_sentences(re.sub(r"\[\^\d+\]", "", block)) if len(s.split()) >= 6]
    return sentences


def article(number: int, *, words: int = 1500, sections: int = 8, seed: int = 0) -> tuple[str, str]:
    """(title, Markdown body) of a generated article."""
    rng = random.Random(seed * 100_003 + number)
    pool = list(_demo_sentences())
    blocks = [" ".join(rng.sample(pool, 3))]
    per_section = max(1, words // sections)
    for section in range(sections):
        blocks.append(f"## Bölüm {section + 1}: {' '.join(rng.choice(pool).split()[:3]).strip('.,;:')}")
        count = 0
        while count < per_section:
            paragraph = " ".join(rng.sample(pool, 3))
            if rng.random() < 0.2:
                paragraph = paragraph.replace(" ve ", " **ve** ", 1)
            blocks.append(paragraph)
            count += len(paragraph.split())
    return f"Deneme Maddesi {number}", "\n\n".join(blocks) + "\n"
