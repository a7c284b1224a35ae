"""``chorus sentiment``: one output line per input line, tab-separated, UTF-8."""
from __future__ import annotations

import json

from click.testing import CliRunner

from chorus.monitor.cli_sentiment import sentiment


def run(data: bytes, *args: str):
    return CliRunner().invoke(sentiment, list(args), input=data)


def test_each_line_gets_label_score_and_language():
    result = run("Отлично!\nWorst service ever\n".encode())
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 2
    label, score, language = lines[0].split("\t")
    assert (label, language) == ("positive", "ru")
    assert float(score) > 0 and len(score.split(".")[1]) == 3
    assert lines[1].split("\t")[0] == "negative" and lines[1].endswith("\ten")


def test_blank_lines_get_a_line_too():
    result = run(b"\n\n\xd0\x9a\xd0\xbb\xd0\xb0\xd1\x81\xd1\x81\n")
    assert result.output.splitlines() == ["neutral\t0.000\tunknown", "neutral\t0.000\tunknown",
                                          result.output.splitlines()[2]]
    assert result.output.splitlines()[2].startswith("positive\t")


def test_invalid_utf8_and_crlf_do_not_stop_the_batch():
    result = run(b"\xff\xfe\r\nok\r\n")
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == 2


def test_last_line_without_newline_is_classified():
    assert len(run("Класс\nУжас".encode()).output.splitlines()) == 2


def test_rules_file_is_applied(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps([{"term": "дорого", "label": "neutral"}]), encoding="utf-8")
    plain = run("Очень дорого\n".encode()).output
    ruled = run("Очень дорого\n".encode(), "--rules", str(path)).output
    assert plain.startswith("negative\t") and ruled.startswith("neutral\t")


def test_bad_rules_file_is_a_usage_error(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text('[{"term": "x", "label": "great"}]', encoding="utf-8")
    result = run(b"text\n", "--rules", str(path))
    assert result.exit_code == 2
    assert "--rules" in result.output
