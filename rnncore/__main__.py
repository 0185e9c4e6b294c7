"""The command line: ``python -m rnncore <command> ...`` (also installed as ``rnncore``).

    python -m rnncore train-charlm --text my_text.txt --steps 500 --checkpoint charlm.pt
    python -m rnncore sample --checkpoint charlm.pt --temperature 0.8 --length 300

Each subcommand is one ``add_<name>(subparsers)`` function that registers its parser and sets
``func`` (called with the parsed arguments, returning an exit code); add a subcommand by writing
such a function and listing it in ``SUBCOMMANDS``. Errors in arguments or files print one line
``rnncore: error: ...`` and exit with status 2. Torch uses one thread unless ``--threads`` says
more.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from rnncore.study.flashcards import add_subcommand as add_flashcards

__all__ = ["SUBCOMMANDS", "build_parser", "main"]


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return number


def _positive_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value!r}") from None
    if not number > 0 or number == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive finite number, got {value!r}")
    return number


def _fraction(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not 0 < number < 1:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1), got {value!r}")
    return number


def _read_text(path: str) -> str:
    file = Path(path)
    if not file.is_file():
        raise ValueError(f"--text {path}: no such file")
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(
            f"--text {path}: not UTF-8 text ({err.reason} at byte {err.start})"
        ) from None
    return text


def cmd_train_charlm(args: argparse.Namespace) -> int:
    """Train a character language model on a text file and write a checkpoint."""
    import torch

    import rnncore
    from rnncore.data.split import split_by_position
    from rnncore.data.text import char_lm_batches
    from rnncore.data.vocab import CharVocab
    from rnncore.models.charlm import CharLM, charlm_loss, evaluate_charlm
    from rnncore.training.loop import train, warmup_cosine
    from rnncore.training.metrics import nats_to_bits, perplexity

    text = _read_text(args.text)
    need = 2 * (args.seq_len + 1)
    if len(text) < need / (1 - args.val_fraction) or len(text) * args.val_fraction < need:
        raise ValueError(
            f"--text {args.text}: {len(text)} characters is too short for --seq-len {args.seq_len} "
            f"and --val-fraction {args.val_fraction} (each split needs at least {need})"
        )
    rnncore.set_threads(args.threads)
    rnncore.set_seed(args.seed)
    vocab = CharVocab.from_text(text)
    ids = vocab.encode(text)
    train_ids, val_ids = split_by_position(ids, [1 - args.val_fraction, args.val_fraction])
    model = CharLM(len(vocab), args.embed, args.hidden, args.layers, cell=args.cell)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = warmup_cosine(optimizer, args.steps, warmup=min(50, args.steps // 10))
    eval_batch = max(1, min(32, len(val_ids) // (2 * args.seq_len)))
    result = train(
        model,
        charlm_loss,
        char_lm_batches(train_ids, args.batch_size, args.seq_len, seed=args.seed),
        args.steps,
        optimizer,
        clip=args.clip,
        scheduler=scheduler,
        eval_fn=lambda m: evaluate_charlm(m, val_ids, batch_size=eval_batch, seq_len=args.seq_len),
        eval_every=args.eval_every,
        checkpoint=args.checkpoint,
        resume=args.resume,
        extra={"vocab": "".join(vocab.chars), "config": model.config},
        progress=not args.quiet,
        desc="train-charlm",
    )
    nats = result.history["eval_loss"][-1]
    print(
        f"validation: {nats:.4f} nats/char = {nats_to_bits(nats):.4f} bits/char "
        f"(perplexity {perplexity(nats):.2f}) after {result.steps} steps; "
        f"checkpoint: {args.checkpoint}"
    )
    return 0


def add_train_charlm(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "train-charlm",
        help="train a character language model on your own text",
        description="Train a character-level language model (the model of the language-modelling "
        "chapter) on a UTF-8 text file; the last --val-fraction of the text is held out.",
    )
    p.add_argument("--text", required=True, help="UTF-8 text file to learn from")
    p.add_argument("--checkpoint", default="charlm.pt", help="checkpoint file (default charlm.pt)")
    p.add_argument("--resume", action="store_true", help="continue from --checkpoint if it exists")
    p.add_argument(
        "--steps", type=_positive_int, default=1000, help="training steps (default 1000)"
    )
    p.add_argument("--batch-size", type=_positive_int, default=32)
    p.add_argument("--seq-len", type=_positive_int, default=100, help="characters per window")
    p.add_argument("--cell", choices=["gru", "lstm", "rnn"], default="gru")
    p.add_argument("--embed", type=_positive_int, default=64, help="embedding size")
    p.add_argument("--hidden", type=_positive_int, default=256, help="hidden units per layer")
    p.add_argument("--layers", type=_positive_int, default=1)
    p.add_argument("--lr", type=_positive_float, default=3e-3, help="peak Adam learning rate")
    p.add_argument("--clip", type=_positive_float, default=1.0, help="gradient-norm clip")
    p.add_argument(
        "--val-fraction", type=_fraction, default=0.1, help="held-out tail (default 0.1)"
    )
    p.add_argument("--eval-every", type=_positive_int, default=200)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=_positive_int, default=1, help="torch threads (default 1)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_train_charlm)


def cmd_sample(args: argparse.Namespace) -> int:
    """Generate text from a checkpoint written by ``train-charlm``."""
    import rnncore
    from rnncore.data.vocab import CharVocab
    from rnncore.models.charlm import CharLM, sample
    from rnncore.training.loop import load_checkpoint

    rnncore.set_threads(args.threads)
    try:
        state = load_checkpoint(args.checkpoint)
    except FileNotFoundError:
        raise ValueError(f"--checkpoint {args.checkpoint}: no such file") from None
    extra = state.get("extra", {})
    if "vocab" not in extra or "config" not in extra:
        raise ValueError(f"--checkpoint {args.checkpoint} was not written by train-charlm")
    vocab = CharVocab(extra["vocab"])
    try:
        model = CharLM(**extra["config"])
        model.load_state_dict(state["model"])
    except (TypeError, ValueError, RuntimeError, KeyError) as err:
        raise ValueError(
            f"--checkpoint {args.checkpoint}: its model settings and weights do not make a "
            f"character model ({type(err).__name__})"
        ) from None
    prompt = args.prompt if args.prompt is not None else vocab.chars[0]
    try:
        vocab.encode(prompt)
    except ValueError as err:
        raise ValueError(f"--prompt: {err}") from None
    text = sample(model, vocab, prompt, args.length, temperature=args.temperature, seed=args.seed)
    sys.stdout.write(prompt + text + "\n")
    return 0


def add_sample(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "sample",
        help="write text with a trained character language model",
        description="Sample characters one at a time from softmax(logits / temperature).",
    )
    p.add_argument("--checkpoint", required=True, help="checkpoint written by train-charlm")
    p.add_argument("--temperature", type=_positive_float, default=0.8, help="default 0.8")
    p.add_argument("--length", type=_positive_int, default=500, help="characters to generate")
    p.add_argument("--prompt", default=None, help="text to start from (default: first vocab char)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=_positive_int, default=1)
    p.set_defaults(func=cmd_sample)


SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    add_train_charlm,
    add_sample,
    add_flashcards,
]


def build_parser() -> argparse.ArgumentParser:
    """The ``rnncore`` argument parser with every subcommand in ``SUBCOMMANDS`` registered."""
    parser = argparse.ArgumentParser(prog="rnncore", description="The RNN course's command line.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``), run the subcommand, return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (ValueError, TypeError) as err:
        print(f"rnncore: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
