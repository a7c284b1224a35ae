"""``chorus sentiment``: classify texts from standard input, one per line, for trying the classifier
and for batch jobs. Output: ``<label>\\t<score>\\t<lang>`` per input line, in order."""
from __future__ import annotations

import io
import json
import sys

import click

from chorus.monitor.sentiment import apply_rules, classify, rules_from_json


def _load_rules(path: str | None):
    if path is None:
        return ()
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        return rules_from_json(data.get("rules", []) if isinstance(data, dict) else data)
    except (OSError, ValueError) as error:
        raise click.BadParameter(str(error), param_hint="--rules") from error


@click.command("sentiment")
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False), default=None,
              help='JSON workspace rules: [{"term": "дорого", "label": "neutral", "scope": "term"}, ...]')
def sentiment(rules_path: str | None) -> None:
    """Read texts from stdin, one per line; print label, score and language for each line."""
    rules = _load_rules(rules_path)
    # Bytes in and out, decoded here: the locale may be C/POSIX, and one bad byte must not stop a batch.
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n", write_through=False)
    try:
        for raw in sys.stdin.buffer:
            text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            result = classify(text)
            if rules:
                result = apply_rules(text, result, rules)
            out.write(f"{result.label}\t{result.score:.3f}\t{result.language}\n")
    finally:
        out.flush()
        out.detach()


if __name__ == "__main__":  # pragma: no cover - `chorus sentiment` is the usual way in
    sentiment(sys.argv[1:])
