"""Build a tiny but real CTranslate2 translation model, offline, in a second or two.

The weights are random, so the output is gibberish; everything else is real: ``model.bin`` is written by
CTranslate2's own serialiser from a ``TransformerSpec``, the SentencePiece models are trained on the sentences
given, and the engine loads, tokenises, batches and decodes with them exactly as with a downloaded model.
That lets tests and benchmarks exercise the engine's mechanics (batching, placeholders, int8, errors) without
network access or hundreds of megabytes of weights.

``build_copy_model`` sets the weights by hand instead, so that the model copies its input: the output equals the
input (after SentencePiece normalisation). Then content can be checked through real inference too: numbers and
names survive, order is visible, and a paired tag's content is found in the output where it should be.

Two layouts are produced, matching the model families the engine supports:

* ``target_sentences=None``: one shared ``sentencepiece.model`` and ``shared_vocabulary.json`` (Argos, NLLB);
* ``target_sentences`` given: ``source.spm``/``target.spm`` and separate vocabularies (OPUS-MT/Marian).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["build_argos_package", "build_copy_model", "build_tiny_model", "DEFAULT_SENTENCES"]

#: enough text to train a SentencePiece model of a few hundred pieces in both languages of the demo pair
DEFAULT_SENTENCES: tuple[str, ...] = (
    "Ankara Türkiye'nin başkentidir.",
    "İstanbul, Boğaziçi'nin iki yakasında kurulmuş büyük bir şehirdir.",
    "Küre, düzenlenen ve çok dilli bir ansiklopedidir.",
    "Makale yazarları kaynak gösterir ve editörler metni gözden geçirir.",
    "Kapadokya peri bacaları ve yeraltı şehirleriyle tanınır.",
    "Van Gölü Türkiye'nin en büyük gölüdür.",
    "Çay, Karadeniz kıyısında yetiştirilir ve her gün içilir.",
    "Ankara is the capital of Turkey.",
    "Istanbul is a large city built on both sides of the Bosphorus.",
    "Küre is an edited, multilingual encyclopedia.",
    "Authors cite their sources and editors review the text.",
    "Cappadocia is known for its fairy chimneys and underground cities.",
    "Lake Van is the largest lake in Turkey.",
    "Tea is grown on the Black Sea coast and drunk every day.",
)

_SPECIAL_PIECES = ("<unk>", "<s>", "</s>")


def _train_sentencepiece(sentences: Iterable[str], *, vocab_size: int, extra_tokens: Sequence[str],
                         byte_fallback: bool = False) -> bytes:
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(sentences)),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="unigram",
        # A tiny corpus cannot fill a large vocabulary: let the trainer stop short of vocab_size.
        hard_vocab_limit=False,
        character_coverage=1.0,
        user_defined_symbols=list(extra_tokens),
        # Unknown characters as byte pieces: then any text (digits, emoji) round-trips through the vocabulary.
        byte_fallback=byte_fallback,
        # One thread and no sampling keep the model byte-identical across runs, so cached builds compare equal.
        num_threads=1,
        input_sentence_size=0,
        shuffle_input_sentence=False,
        minloglevel=2,
        # The CTranslate2 config names these pieces as unk/bos/eos: SentencePiece's default ids 0, 1, 2.
        unk_piece="<unk>",
        bos_piece="<s>",
        eos_piece="</s>",
    )
    return model.getvalue()


def _vocabulary(model_bytes: bytes) -> list[str]:
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_proto=model_bytes)
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    missing = [piece for piece in _SPECIAL_PIECES if piece not in pieces]
    if missing:  # pragma: no cover - guards against a SentencePiece default changing under us
        raise RuntimeError(f"SentencePiece model lacks the special pieces {missing}")
    return pieces


def _fill_weights(spec, *, rng, d_model: int, ffn_dim: int, source_size: int, target_size: int,
                  eos_id: int, eos_bias: float) -> None:
    """Give every variable of a pre-norm Transformer spec a random value of the shape CTranslate2 expects."""
    import numpy as np

    def normal(*shape: int, scale: float = 0.2):
        return rng.normal(0.0, scale, size=shape).astype(np.float32)

    def layer_norm(norm) -> None:
        norm.gamma = np.ones(d_model, dtype=np.float32)
        norm.beta = np.zeros(d_model, dtype=np.float32)

    def linear(spec_linear, out_dim: int, in_dim: int) -> None:
        spec_linear.weight = normal(out_dim, in_dim)
        spec_linear.bias = normal(out_dim, scale=0.02)

    def attention(spec_attention, *, self_attention: bool) -> None:
        layer_norm(spec_attention.layer_norm)
        if self_attention:  # queries, keys and values fused in one projection
            linear(spec_attention.linear[0], 3 * d_model, d_model)
        else:  # queries from the decoder; keys and values, fused, from the encoder output
            linear(spec_attention.linear[0], d_model, d_model)
            linear(spec_attention.linear[1], 2 * d_model, d_model)
        linear(spec_attention.linear[-1], d_model, d_model)

    def feed_forward(spec_ffn) -> None:
        layer_norm(spec_ffn.layer_norm)
        linear(spec_ffn.linear_0, ffn_dim, d_model)
        linear(spec_ffn.linear_1, d_model, ffn_dim)

    encoder, decoder = spec.encoder, spec.decoder
    # Position encodings are optional: CTranslate2 then computes the sinusoidal ones itself.
    encoder.embeddings[0].weight = normal(source_size, d_model, scale=1.0)
    layer_norm(encoder.layer_norm)
    for layer in encoder.layer:
        attention(layer.self_attention, self_attention=True)
        feed_forward(layer.ffn)

    decoder.embeddings.weight = normal(target_size, d_model, scale=1.0)
    layer_norm(decoder.layer_norm)
    for layer in decoder.layer:
        attention(layer.self_attention, self_attention=True)
        attention(layer.attention, self_attention=False)
        feed_forward(layer.ffn)
    linear(decoder.projection, target_size, d_model)
    # Random weights rarely pick the end token, so every output would run to max_decoding_length; a bias on it
    # makes outputs end after a handful of tokens, like a real model's, and keeps the tests fast.
    decoder.projection.bias[eos_id] += eos_bias


def build_tiny_model(
    directory: Path,
    *,
    source_sentences: Sequence[str] = DEFAULT_SENTENCES,
    target_sentences: Sequence[str] | None = None,
    seed: int = 0,
    vocab_size: int = 200,
    extra_tokens: Sequence[str] = (),
    num_layers: int = 2,
    num_heads: int = 2,
    d_model: int = 32,
    ffn_dim: int = 64,
    eos_bias: float = 2.0,
) -> Path:
    """Write a CTranslate2 model with random weights and real SentencePiece models into ``directory``.

    ``extra_tokens`` become whole pieces of the vocabulary (language tokens such as ``eng_Latn`` for testing
    NLLB-style prefixes). The directory is created; it must not already hold a model. Returns it.
    """
    import numpy as np
    from ctranslate2.specs import transformer_spec

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if (directory / "model.bin").exists():
        raise FileExistsError(f"{directory} already holds a model")

    rng = np.random.default_rng(seed)
    source_model = _train_sentencepiece(source_sentences, vocab_size=vocab_size, extra_tokens=extra_tokens)
    if target_sentences is None:
        target_model = source_model
        (directory / "sentencepiece.model").write_bytes(source_model)
    else:
        target_model = _train_sentencepiece(target_sentences, vocab_size=vocab_size, extra_tokens=extra_tokens)
        (directory / "source.spm").write_bytes(source_model)
        (directory / "target.spm").write_bytes(target_model)
    source_vocabulary, target_vocabulary = _vocabulary(source_model), _vocabulary(target_model)

    spec = transformer_spec.TransformerSpec.from_config(num_layers, num_heads)
    _fill_weights(spec, rng=rng, d_model=d_model, ffn_dim=ffn_dim, source_size=len(source_vocabulary),
                  target_size=len(target_vocabulary), eos_id=target_vocabulary.index("</s>"), eos_bias=eos_bias)
    spec.register_source_vocabulary(source_vocabulary)
    spec.register_target_vocabulary(target_vocabulary)
    spec.validate()
    # Same as a converter would do: aliases shared arrays; weights stay float32 so any compute_type can load them.
    spec.optimize(quantization=None)
    spec.save(str(directory))
    return directory


def build_copy_model(
    directory: Path,
    *,
    sentences: Sequence[str] = DEFAULT_SENTENCES,
    separate_sentencepiece: bool = False,
    seed: int = 0,
    token_dim: int = 128,
    position_dim: int = 128,
    max_positions: int = 1024,
    sharpness: float = 40.0,
) -> Path:
    """Write a CTranslate2 model whose hand-set weights make it copy its input, token for token.

    How: the model dimension is split into a token part and a position part. Token and position vectors are
    random, zero-mean and of unit norm, so that layer norms only rescale them and distinct ones are nearly
    orthogonal. Self-attention and feed-forward sublayers are zeroed, so each adds nothing to its residual.
    In the decoder's cross-attention the query is the decoder step's position vector, the keys are the source
    positions' vectors and the values their token vectors: step t attends to source token t, and the output
    projection, whose rows are the token vectors, picks that token back. ``config.json`` sets
    ``add_source_eos``, so the copied end token ends decoding. ``sharpness`` is the logit gap that makes the
    choices certain, with margin for int8 quantisation. SentencePiece uses byte fallback, so any text copies.

    ``separate_sentencepiece`` writes ``source.spm``/``target.spm`` (the same model twice, OPUS-MT layout)
    instead of one ``sentencepiece.model``.
    """
    import numpy as np
    from ctranslate2.specs import transformer_spec

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if (directory / "model.bin").exists():
        raise FileExistsError(f"{directory} already holds a model")

    # Byte fallback adds 256 byte pieces to the vocabulary: leave room for them and the corpus's characters.
    sp_model = _train_sentencepiece(sentences, vocab_size=400, extra_tokens=(), byte_fallback=True)
    if separate_sentencepiece:
        (directory / "source.spm").write_bytes(sp_model)
        (directory / "target.spm").write_bytes(sp_model)
    else:
        (directory / "sentencepiece.model").write_bytes(sp_model)
    vocabulary = _vocabulary(sp_model)

    rng = np.random.default_rng(seed)
    d_model = token_dim + position_dim
    scale = float(np.sqrt(d_model / 2))  # what a layer norm multiplies a [token; position] vector of norm √2 by

    def unit_vectors(count: int, dim: int):
        vectors = rng.normal(size=(count, dim))
        vectors -= vectors.mean(axis=1, keepdims=True)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def zeros(*shape: int):
        return np.zeros(shape, dtype=np.float32)

    tokens = zeros(len(vocabulary), d_model)
    tokens[:, :token_dim] = unit_vectors(len(vocabulary), token_dim)
    positions = zeros(max_positions, d_model)
    positions[:, token_dim:] = unit_vectors(max_positions, position_dim)
    keep_tokens = zeros(d_model, d_model)
    keep_tokens[:token_dim, :token_dim] = np.eye(token_dim)
    keep_positions = zeros(d_model, d_model)
    keep_positions[token_dim:, token_dim:] = np.eye(position_dim)

    def layer_norm(norm) -> None:
        norm.gamma = np.ones(d_model, dtype=np.float32)
        norm.beta = zeros(d_model)

    def linear(spec_linear, weight) -> None:
        spec_linear.weight = np.asarray(weight, dtype=np.float32)
        spec_linear.bias = zeros(spec_linear.weight.shape[0])

    def silent_sublayers(layer) -> None:
        layer_norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], zeros(3 * d_model, d_model))
        linear(layer.self_attention.linear[1], zeros(d_model, d_model))
        layer_norm(layer.ffn.layer_norm)
        linear(layer.ffn.linear_0, zeros(8, d_model))
        linear(layer.ffn.linear_1, zeros(d_model, 8))

    spec = transformer_spec.TransformerSpec.from_config(1, 1)
    encoder, decoder = spec.encoder, spec.decoder
    encoder.scale_embeddings = decoder.scale_embeddings = False  # keep token and position parts at equal norm
    encoder.embeddings[0].weight = tokens
    encoder.position_encodings.encodings = positions
    layer_norm(encoder.layer_norm)
    silent_sublayers(encoder.layer[0])

    decoder.embeddings.weight = zeros(len(vocabulary), d_model)  # what was emitted before does not matter
    decoder.position_encodings.encodings = positions
    layer_norm(decoder.layer_norm)
    layer = decoder.layer[0]
    silent_sublayers(layer)
    layer_norm(layer.attention.layer_norm)
    linear(layer.attention.linear[0], keep_positions * (sharpness / scale))  # query: this step's position
    linear(layer.attention.linear[1], np.concatenate([keep_positions, keep_tokens]))  # keys: positions; values: tokens
    linear(layer.attention.linear[2], keep_tokens / scale)
    projection = zeros(len(vocabulary), d_model)
    projection[:, :token_dim] = tokens[:, :token_dim] * (sharpness / scale)
    linear(decoder.projection, projection)

    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.config.add_source_eos = True
    spec.validate()
    spec.optimize(quantization=None)
    spec.save(str(directory))
    return directory


def build_argos_package(model_dir: Path, archive: Path, *, from_code: str, to_code: str,
                        package_version: str = "1.0", folder: str | None = None) -> Path:
    """Pack a shared-vocabulary model directory as an Argos Translate ``.argosmodel`` file.

    Layout, as Argos ships them: one top-level folder holding ``model/`` (the CTranslate2 model),
    ``sentencepiece.model`` and ``metadata.json``.
    """
    model_dir, archive = Path(model_dir), Path(archive)
    folder = folder or f"translate-{from_code}_{to_code}-{package_version.replace('.', '_')}"
    metadata = {
        "package_version": package_version,
        "argos_version": "1.9.0",
        "from_code": from_code,
        "to_code": to_code,
        "from_name": from_code,
        "to_name": to_code,
        "type": "translate",
    }
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{folder}/metadata.json", json.dumps(metadata, indent=2))
        zf.writestr(f"{folder}/README.md", f"# {from_code} → {to_code}\n\nA tiny test package.\n")
        for path in sorted(model_dir.iterdir()):
            if path.name == "sentencepiece.model":
                zf.write(path, f"{folder}/sentencepiece.model")
            elif path.is_file():
                zf.write(path, f"{folder}/model/{path.name}")
    return archive
