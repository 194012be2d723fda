"""``kure eval …``: measure translation quality and fidelity, and Ask's answers, on real data."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kure.core import languages


class Command(BaseCommand):
    help = ("Evaluate: `translation` (an engine against references), `fidelity` (segmentation and reassembly), "
            "`ask` (answers to a SQuAD file's questions).")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True, parser_class=type(parser))
        for name, text in [("translation", "translate --src with an engine and score it against --ref"),
                           ("fidelity", "what segmenting and reassembling Markdown loses (memory only)")]:
            p = sub.add_parser(name, help=text)
            p.add_argument("--src", required=True, help="source sentences, one per line")
            p.add_argument("--ref", required=True, help="reference translations, line-aligned with --src")
            p.add_argument("--source-language", default=languages.default())
            p.add_argument("--target-language", default=None, help="default: the first other site language")
            p.add_argument("--limit", type=int, default=None, help="use only the first N lines")
            if name == "translation":
                p.add_argument("--engine", default=None,
                               help="a key of KURE_TRANSLATION_ENGINES (default: the one for the language pair)")
                p.add_argument("--batch-size", type=int, default=32)
        p = sub.add_parser("ask", help="ask every question of a SQuAD v1.1 file imported with `kure import squad`")
        p.add_argument("file", metavar="FILE")
        p.add_argument("--lang", default=languages.default(), help="the language the questions are asked in")
        p.add_argument("--questions", default="", metavar="TSV",
                       help="“index<TAB>question” lines replacing the file's questions (e.g. English renderings)")
        p.add_argument("--limit", type=int, default=None, help="ask only the first N questions")
        p.add_argument("--misses", type=int, default=0, help="print up to N questions whose gold section was "
                                                             "not cited first")

    def handle(self, *args, what: str, **options) -> None:
        if what == "ask":
            return self._ask(options)
        from kure.translation import evaluation

        source = options["source_language"]
        target = options["target_language"] or next(c for c in languages.codes() if c != source)
        try:
            sources = evaluation.read_lines(options["src"])
            references = evaluation.read_lines(options["ref"])
        except OSError as exc:
            raise CommandError(f"Cannot read {exc.filename}: {exc.strerror}.") from exc
        if options["limit"]:
            sources, references = sources[:options["limit"]], references[:options["limit"]]
        try:
            evaluation.check_parallel(sources, references)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if what == "translation":
            self._translation(evaluation, sources, references, source, target, options)
        else:
            result = evaluation.evaluate_fidelity(sources, references, source_language=source,
                                                  target_language=target)
            self.stdout.write(f"fidelity {source}→{target}: {result.articles} articles, {result.segments} segments, "
                              f"{result.segments_found} found in memory "
                              f"({100 * result.segments_found / max(result.segments, 1):.1f}%)")
            self.stdout.write(f"chrF {result.chrf:.2f}  ({result.seconds:.1f} s)")

    def _translation(self, evaluation, sources, references, source, target, options) -> None:
        from django.conf import settings
        from django.utils.module_loading import import_string

        from kure.translation.engines.base import EngineError, engine_config, pair_key

        key = options["engine"]
        config = (settings.KURE_TRANSLATION_ENGINES or {}).get(key) if key else engine_config(source, target)
        if not config:
            raise CommandError(
                f"No translation engine is configured for {pair_key(source, target)}"
                + (f" under the name “{key}”" if key else "")
                + ". Set KURE_TRANSLATION_ENGINES (see docs/translation.md); nothing was translated.")
        try:
            engine = import_string(config["BACKEND"])(source=source, target=target, **config.get("OPTIONS", {}))
        except (ImportError, KeyError, EngineError) as exc:
            raise CommandError(f"The engine cannot be loaded: {exc}") from exc

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"\r{done}/{total} segments", ending="")

        try:
            scores = evaluation.evaluate_engine(engine, sources, references, batch_size=options["batch_size"],
                                                progress=progress)
        except EngineError as exc:
            raise CommandError(f"The engine failed: {exc}") from exc
        finally:
            engine.close()
        self.stderr.write("")
        self.stdout.write(f"{engine.name} {engine.model} {source}→{target}: {scores.segments} segments")
        self.stdout.write(f"chrF {scores.chrf:.2f}  BLEU {scores.bleu:.2f}  {scores.segments_per_second:.1f} "
                          "segments/s")

    def _ask(self, options) -> None:
        from kure.ask import evaluation
        from kure.core.errors import KureError

        try:
            replaced = evaluation.read_questions(options["questions"]) if options["questions"] else None
            items = evaluation.cases(options["file"], replaced)
        except KureError as exc:
            raise CommandError(exc.message) from exc
        if options["limit"]:
            items = items[:options["limit"]]
        if not items:
            raise CommandError("There are no questions to ask.")

        def progress(done: int, total: int) -> None:
            if done % 25 == 0 or done == total:
                self.stderr.write(f"\r{done}/{total} questions", ending="")

        result = evaluation.evaluate(items, language=options["lang"], progress=progress)
        self.stderr.write("")
        for line in evaluation.report(result, label=f"ask ({options['lang']})"):
            self.stdout.write(line)
        for case, cited, text in result.misses[:options["misses"]]:
            self.stdout.write(f"- [{case.index}] {case.question}  gold {case.slug}#{case.anchor}  "
                              f"cited {', '.join(cited[:3]) or 'nothing'}  answer: {text[:120]}")
