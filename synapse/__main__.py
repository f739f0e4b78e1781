"""``python -m synapse demo NAME``: run a demo (``--help`` lists them)."""
from __future__ import annotations

import argparse
import importlib.util
import sys

from . import _check
from .demos import DEMOS


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        """One line on stderr, exit code 2."""
        self.exit(2, f"{self.prog}: error: {message} (see python -m synapse --help)\n")


def _seed(text: str) -> int:
    """A seed as ``synapse.seed`` takes it: a non-negative integer."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    try:
        return _check.integer(value, "the seed", minimum=0)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _parser() -> argparse.ArgumentParser:
    listing = "\n".join(f"  {name:<9} {doc}" for name, (_, doc) in DEMOS.items())
    parser = _Parser(prog="python -m synapse",
                     description="synapse: neural networks built neuron by neuron, "
                                 "trained by LSTM-g.",
                     epilog=f"demos:\n{listing}\n\nexample: python -m synapse demo xor",
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="demo", required=True,
                                     title="commands", parser_class=_Parser)
    demo = commands.add_parser("demo", help="run a demo: " + ", ".join(DEMOS),
                               epilog=f"demos:\n{listing}",
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    demo.add_argument("name", choices=list(DEMOS), metavar="NAME",
                      help="one of: " + ", ".join(DEMOS))
    demo.add_argument("--seed", type=_seed, default=1, help="random seed (default 1)")
    demo.add_argument("--plot", metavar="FILE",
                      help="save a picture to FILE (.png, .svg, .pdf): the training curve and "
                           "the network (needs matplotlib: pip install synapse[plot])")
    demo.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                      help="a progress bar instead of progress lines (default: when the "
                           "output is a terminal; needs tqdm: pip install synapse[progress])")
    return parser


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.plot is not None and importlib.util.find_spec("matplotlib") is None:
        parser.error("--plot needs matplotlib: pip install synapse[plot]")
    if args.name == "digits" and importlib.util.find_spec("sklearn") is None:
        parser.error("demo digits needs scikit-learn (its data set): pip install scikit-learn "
                     "(or synapse[examples])")
    try:
        DEMOS[args.name][0](seed=args.seed, progress=args.progress, plot=args.plot)
    except BrokenPipeError:  # the reader went away (e.g. piped into head)
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
