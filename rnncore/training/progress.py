"""A progress bar for the training loop that always ends as exactly one line of output.

A tqdm bar redrawn with carriage returns looks like one line in a terminal, but a notebook stores
every redraw in its output, and the widget bar of ``tqdm.auto`` needs JavaScript from the network
to render in the built book. So :class:`Progress` picks its medium:

- in a Jupyter kernel: one ``text/plain`` display output, updated in place through a display id; the
  executed notebook stores only the final text and needs no scripts;
- in a terminal (stderr is a TTY): a classic ``tqdm`` bar on stderr, left as one line at the end;
- otherwise (pipes, CI logs, captured subprocesses): silence during the run and one summary line on
  stderr at the end.

All three show the same text, formatted by ``tqdm.tqdm.format_meter``. In a notebook and in the
summary line it fits ``WIDTH`` columns (a chapter page's code area holds 80 characters): where the
full line would be wider, the bar narrows, then the estimate of the time left, the rate, the bar,
the percentage and the elapsed time are left out in turn; the label, the step count, the losses
and the closing note stay.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from tqdm import tqdm

__all__ = ["WIDTH", "Progress", "fit_line", "in_jupyter_kernel"]

WIDTH = 79  # columns a line of output may use on a chapter page

# the line's layouts, richest first: the first that fits WIDTH (with a bar of BAR_MIN columns at
# least, where it has one) is used
_BAR = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
_LAYOUTS = (
    _BAR + "[{elapsed}<{remaining}, {rate_fmt}{postfix}]",
    _BAR + "[{elapsed}, {rate_fmt}{postfix}]",
    _BAR + "[{elapsed}{postfix}]",
    "{desc}: {percentage:3.0f}% {n_fmt}/{total_fmt} [{elapsed}{postfix}]",
    "{desc}: {n_fmt}/{total_fmt} [{elapsed}{postfix}]",
    "{desc}: {n_fmt}/{total_fmt}{postfix}",
)
BAR_MIN, BAR_MAX = 5, 10


def in_jupyter_kernel() -> bool:
    """True when running inside a Jupyter (ipykernel) kernel, where display outputs exist."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def _postfix(info: dict[str, Any]) -> str:
    """``loss=1.523, val=1.61, stopped early``: numbers to four digits, the note without a key."""
    return ", ".join(
        str(v) if k == "note" else f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
        for k, v in info.items()
    )


def fit_line(
    n: int,
    total: int,
    elapsed: float,
    desc: str = "",
    info: dict[str, Any] | None = None,
    initial: int = 0,
    width: int = WIDTH,
) -> str:
    """The progress text for ``n`` of ``total`` steps after ``elapsed`` seconds, at most ``width``
    columns: the richest layout that fits (see the module docstring), cut with "…" only when even
    the plainest is too wide (a very long label or note)."""
    meter = {
        "n": n,
        "total": total,
        "elapsed": elapsed,
        "prefix": desc,
        "unit": "step",
        "postfix": _postfix(info or {}) or None,
        "initial": initial,
        "ascii": " #",
    }
    for layout in _LAYOUTS:
        text = tqdm.format_meter(**meter, bar_format=layout.replace("{bar}", ""))
        if "{bar}" not in layout and len(text) <= width:
            return text
        if len(text) + BAR_MIN <= width:
            ncols = min(width, len(text) + BAR_MAX)
            return tqdm.format_meter(**meter, bar_format=layout, ncols=ncols)
    return text[: width - 1] + "…"


class Progress:
    """Show the progress of ``total`` steps, starting at ``initial``, and end as one line.

    ``update(n, info)`` reports that ``n`` steps are done, with ``info`` (e.g. ``{"loss": 1.52}``)
    shown after the bar; ``close(note)`` writes the final line, with an optional note such as
    ``"stopped early"``. ``refresh`` is the minimum number of seconds between redraws.
    """

    def __init__(
        self,
        total: int,
        initial: int = 0,
        desc: str = "",
        enabled: bool = True,
        refresh: float = 0.5,
        mode: str | None = None,
    ) -> None:
        self.total, self.initial, self.desc, self.refresh = total, initial, desc, refresh
        self.n, self.info = initial, {}
        self.start = self.last_draw = time.perf_counter()
        if mode is None:
            if not enabled:
                mode = "off"
            elif in_jupyter_kernel():
                mode = "jupyter"
            elif sys.stderr.isatty():
                mode = "tty"
            else:
                mode = "summary"
        if mode not in ("off", "jupyter", "tty", "summary"):
            raise ValueError(f"mode must be off, jupyter, tty or summary, got {mode!r}")
        self.mode = mode
        self.closed, self.final = False, ""
        self._handle = None
        self._bar = None
        if mode == "tty":
            self._bar = tqdm(
                total=total,
                initial=initial,
                desc=desc,
                unit="step",
                file=sys.stderr,
                mininterval=refresh,
            )
        elif mode == "jupyter":
            from IPython.display import display

            self._handle = display({"text/plain": self.line()}, raw=True, display_id=True)

    def line(self) -> str:
        """The current progress text (label, bar, count, times, rate and info) in WIDTH columns."""
        return fit_line(
            self.n,
            self.total,
            time.perf_counter() - self.start,
            desc=self.desc,
            info=self.info,
            initial=self.initial,
        )

    def update(self, n: int, info: dict[str, Any] | None = None) -> None:
        """Record that ``n`` steps are done (absolute count, not an increment)."""
        delta, self.n = n - self.n, n
        if info:
            self.info = dict(info)
        if self._bar is not None:
            if info:
                self._bar.set_postfix_str(_postfix(self.info), refresh=False)
            self._bar.update(delta)
        elif self._handle is not None:
            now = time.perf_counter()
            if now - self.last_draw >= self.refresh:
                self.last_draw = now
                self._handle.update({"text/plain": self.line()}, raw=True)

    def close(self, note: str | None = None) -> str:
        """Write the final line (once) and return its text."""
        if self.closed:
            return self.final
        if note:
            self.info["note"] = note
        text = self.final = self.line()
        self.closed = True
        if self._bar is not None:
            self._bar.set_postfix_str(_postfix(self.info), refresh=True)
            self._bar.close()
        elif self._handle is not None:
            self._handle.update({"text/plain": text}, raw=True)
        elif self.mode == "summary":
            print(text, file=sys.stderr, flush=True)
        return text
