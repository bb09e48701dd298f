import io
import json
import shutil
import subprocess
import sys

import pytest

from bot.cli import main
from bot.core.knowledge import default_knowledge_dir

CONTRACT_KEYS = {"question", "matched", "entry_id", "score", "lang", "answer", "suggestions"}


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_ask_json_single_question(capsys):
    assert main(["ask", "--json", "is chatwork free?"]) == 0
    [reply] = json_lines(capsys.readouterr().out)
    assert set(reply) == CONTRACT_KEYS
    assert reply["matched"] is True and reply["lang"] == "en"
    assert "free" in reply["answer"].lower()


def test_ask_json_batch_from_stdin_one_object_per_line(capsys, monkeypatch):
    monkeypatch.setattr(
        sys,
        "stdin",
        io.StringIO("チャットワークは無料？\n\n今何時？\nhow to sign up for chatwork\n"),
    )
    assert main(["ask", "--json", "--batch", "-"]) == 0
    replies = json_lines(capsys.readouterr().out)
    assert [r["question"] for r in replies] == [
        "チャットワークは無料？",
        "今何時？",
        "how to sign up for chatwork",
    ]
    assert replies[0]["matched"] and replies[0]["lang"] == "ja"
    assert (
        not replies[1]["matched"]
        and replies[1]["answer"] is None
        and replies[1]["entry_id"] is None
    )


def test_ask_json_batch_from_file(tmp_path, capsys):
    batch = tmp_path / "questions.txt"
    batch.write_text(
        "チャットワークIDの確認方法\nwhere do I find my chatwork id\n", encoding="utf-8"
    )
    assert main(["ask", "--json", "--batch", str(batch)]) == 0
    replies = json_lines(capsys.readouterr().out)
    assert len(replies) == 2 and all(r["matched"] for r in replies)
    assert replies[0]["entry_id"] == replies[1]["entry_id"]


def test_ask_human_output_has_title_answer_and_source(capsys):
    assert main(["ask", "チャットワークの料金は？"]) == 0
    out = capsys.readouterr().out
    assert "■" in out and "無料" in out and "出典" in out


def test_ask_without_question_is_a_usage_error(capsys):
    assert main(["ask"]) == 2
    assert "QUESTION" in capsys.readouterr().err


def test_ask_missing_batch_file_is_a_clear_error(tmp_path, capsys):
    assert main(["ask", "--batch", str(tmp_path / "nope.txt")]) == 2
    assert "nope.txt" in capsys.readouterr().err


def test_check_knowledge_ok(capsys):
    assert main(["check-knowledge"]) == 0
    assert "OK" in capsys.readouterr().out


def test_check_knowledge_reports_file_and_exits_2(tmp_path, capsys):
    broken = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_dir(), broken)
    faq = broken / "faq.yaml"
    faq.write_text(faq.read_text("utf-8") + "\n  - id: [unclosed\n", encoding="utf-8")
    assert main(["check-knowledge", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "faq.yaml" in err and "YAML" in err


def test_invalid_knowledge_dir_makes_ask_exit_2_without_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KNOWLEDGE_DIR", str(tmp_path))
    assert main(["ask", "料金"]) == 2
    err = capsys.readouterr().err
    assert "faq.yaml" in err and "Traceback" not in err


def test_console_is_the_default_without_a_token_and_says_how_to_connect(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        input="チャットワークは無料ですか\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "DISCORD_TOKEN" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "無料" in result.stdout


@pytest.mark.parametrize("argv", [["--help"], ["ask", "--help"]])
def test_help_exits_cleanly(argv):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0


def test_check_json_contract_for_risky_and_ordinary_messages(capsys, monkeypatch):
    monkeypatch.setattr(
        sys,
        "stdin",
        io.StringIO(
            "チャットワークのIDを送ってもらえますか\n明日の10時までに修正版をお願いします\n"
        ),
    )
    assert main(["check", "--json", "--batch", "-"]) == 0
    risky, ordinary = json_lines(capsys.readouterr().out)
    assert set(risky) == {"text", "risk", "findings", "reply_template", "alternative_template"}
    assert risky["risk"] in {"danger", "caution"} and risky["reply_template"]
    assert set(risky["findings"][0]) == {"kind", "severity", "rule", "source", "advice"}
    assert "サービス外連絡申請" in risky["findings"][0]["advice"]
    assert ordinary == {
        "text": "明日の10時までに修正版をお願いします",
        "risk": "none",
        "findings": [],
        "reply_template": None,
        "alternative_template": None,
    }


def test_check_human_output_names_rule_source_and_reply(capsys):
    assert main(["check", "Let's skip the platform fees and work directly."]) == 0
    out = capsys.readouterr().out
    assert "Danger" in out and "Source" in out and "Reply you can send" in out


def test_health_is_unhealthy_without_a_heartbeat(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert main(["health"]) == 1
    assert "never" in capsys.readouterr().out


def test_report_on_an_empty_store(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert main(["report", "--days", "7"]) == 0
    out = capsys.readouterr().out
    assert "Questions: 0" in out and "未回答の質問はありません" in out
