import io
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.knowledge import default_knowledge_dir, load_knowledge

CONTRACT_KEYS = {"question", "matched", "entry_id", "score", "lang", "answer", "suggestions"}


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def piped_stdin(text: str) -> io.TextIOWrapper:
    """Standard input as a pipe gives it: bytes underneath, read through `.buffer`."""
    return io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8")


def test_ask_json_single_question(capsys):
    assert main(["ask", "--json", "is chatwork free?"]) == 0
    [reply] = json_lines(capsys.readouterr().out)
    assert set(reply) == CONTRACT_KEYS
    assert reply["matched"] is True and reply["lang"] == "en"
    assert "free" in reply["answer"].lower()


def test_ask_keeps_the_knowledges_analyses_in_cache_dir(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CACHE_DIR", str(tmp_path / "cache"))
    assert main(["ask", "--json", "is chatwork free?"]) == 0
    (stored,) = (tmp_path / "cache").glob("analyses-*.marshal")
    written = stored.stat().st_mtime_ns
    assert main(["ask", "--json", "is chatwork free?"]) == 0
    first, second = json_lines(capsys.readouterr().out)
    assert first == second and first["matched"]
    assert stored.stat().st_mtime_ns == written


def test_ask_json_batch_from_stdin_one_object_per_line(capsys, monkeypatch):
    monkeypatch.setattr(
        sys,
        "stdin",
        piped_stdin("チャットワークは無料？\n\n今何時？\nhow to sign up for chatwork\n"),
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
    assert "DISCORD_TOKEN" in result.stderr and "SLACK_BOT_TOKEN" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
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
        piped_stdin(
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


def test_check_offers_apply_first_then_the_refusal_without_a_made_up_reason(capsys):
    assert main(["check", "仮払いは済んでいるので、チャットワークIDを教えてください"]) == 0
    out = capsys.readouterr().out
    reply, alternative = out.index("そのまま使える返信文"), out.index("別の返信文（断る場合）")
    assert reply < alternative
    assert "クラウドワークスのルール上" in out[reply:alternative]
    assert "チャットワークでのやり取りを控えさせていただいております" in out[alternative:]
    assert "トラブルが相次いで" not in out


def test_health_is_unhealthy_without_a_heartbeat(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert main(["health"]) == 1
    assert "never" in capsys.readouterr().out


def test_report_on_an_empty_store(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert main(["report", "--days", "7"]) == 0
    out = capsys.readouterr().out
    assert (
        "Questions: 0" in out and "Unanswered questions:\nNo unanswered questions recorded." in out
    )


@pytest.mark.parametrize(
    ("encoding", "named"),
    [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8"), ("cp932", "Shift_JIS (CP932)")],
)
def test_batch_file_in_utf8_or_cp932_is_read_and_the_encoding_named(
    tmp_path, capsys, encoding, named
):
    batch = tmp_path / "questions.txt"
    batch.write_bytes("チャットワークIDの確認方法\r\n～①の件\r\n".encode(encoding))
    assert main(["ask", "--json", "--batch", str(batch)]) == 0
    captured = capsys.readouterr()
    replies = json_lines(captured.out)
    assert [r["question"] for r in replies] == ["チャットワークIDの確認方法", "～①の件"]
    assert replies[0]["matched"]
    assert captured.err.splitlines() == [f"{batch}: read as {named}"]


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("café\n".encode("latin-1"), "not UTF-8 or Shift_JIS (CP932)"),
        ("チャットワーク\n".encode("utf-16"), "UTF-16"),
        ("chatwork\n".encode("utf-16-le"), "UTF-16"),
        ("料金\n".encode() + "料金\n".encode("cp932"), "line 2 can't be read: it is not UTF-8"),
    ],
)
def test_batch_file_in_another_encoding_is_one_line_error(tmp_path, capsys, content, why):
    batch = tmp_path / "questions.txt"
    batch.write_bytes(content)
    assert main(["ask", "--json", "--batch", str(batch)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: {batch}: line ") and why in line and "save it as UTF-8" in line


def test_check_batch_from_cp932_stdin(capsys, monkeypatch):
    raw = "報酬は銀行振込で直接お支払いします\n".encode("cp932")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    assert main(["check", "--json", "--batch", "-"]) == 0
    captured = capsys.readouterr()
    [report] = json_lines(captured.out)
    assert report["risk"] == "danger"
    assert captured.err.strip() == "standard input: read as Shift_JIS (CP932)"


@pytest.mark.parametrize("days", ["100000000", "nan", "-1", "0", "inf", "a week"])
def test_report_days_out_of_range_is_one_line_usage_error(tmp_path, monkeypatch, capsys, days):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--days", days])
    assert exit_info.value.code == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "--days" in line and "above 0 and up to 36500" in line and "--help" in line


def test_report_days_accepts_a_fraction(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert main(["report", "--days", "0.5"]) == 0
    assert "Questions: 0" in capsys.readouterr().out


def test_output_cut_short_by_head_is_quiet_and_exit_0(tmp_path):
    batch = tmp_path / "questions.txt"
    batch.write_text("チャットワークの料金は？\n" * 400, encoding="utf-8")
    result = subprocess.run(
        [
            "bash",
            "-c",
            f'{sys.executable} -m bot ask --json --batch "$1" | head -1; exit "${{PIPESTATUS[0]}}"',
            "bash",
            str(batch),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1 and json.loads(result.stdout)["matched"]
    assert result.stderr == ""


def test_console_reads_cp932_and_explains_unreadable_lines_without_traceback(tmp_path):
    typed = "チャットワークは無料ですか\n".encode("cp932") + b"\xff\xfe\n" + b"quit\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input=typed,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DATA_DIR": str(tmp_path)},
        timeout=60,
        check=False,
    )
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 0 and err == ""
    assert "無料" in out and "読み取れませんでした" in out


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert (
        capsys.readouterr().out.strip()
        == f"chatwork-safe-bot {metadata.version('chatwork-safe-bot')}"
    )


def test_dot_env_in_the_working_directory_is_read_and_the_environment_wins(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    (tmp_path / ".env").write_text("LOG_FORMAT=xml\n", encoding="utf-8")
    assert main(["ask", "料金"]) == 2
    assert capsys.readouterr().err.startswith("error: invalid setting LOG_FORMAT")
    monkeypatch.setenv("LOG_FORMAT", "text")
    assert main(["ask", "料金"]) == 0


def test_env_example_copied_as_is_starts_the_console(tmp_path):
    shutil.copy(Path(__file__).resolve().parents[1] / ".env.example", tmp_path / ".env")
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        input="quit\n",
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("No platform token is set: starting the terminal console")


@pytest.mark.parametrize(
    "argv",
    [
        ["ask", "料金"],
        ["check", "IDを教えてください"],
        ["check-knowledge"],
        ["report"],
        ["health"],
        ["console", "--help"],
        ["--version"],
    ],
)
def test_read_only_commands_leave_the_working_directory_empty(tmp_path, monkeypatch, argv):
    for name in ("DATA_DIR", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    try:
        main(argv)
    except SystemExit as exit_info:
        assert exit_info.code == 0
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("sqlite:///{tmp}/missing/dir/x.db", "does not exist: create it or fix DATABASE_URL"),
        ("sqlite://x", "invalid store URL 'sqlite://x'"),
        ("postgres://db/bot", "unsupported store URL scheme 'postgres'"),
    ],
)
def test_bad_database_url_is_one_line_and_creates_nothing(
    tmp_path, monkeypatch, capsys, url, complaint
):
    monkeypatch.setenv("DATABASE_URL", url.format(tmp=tmp_path))
    assert main(["report"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("error: ") and complaint in line
    assert list(tmp_path.iterdir()) == []


def test_console_help_lists_the_console_commands(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["console", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("/chatwork-safe", "check <message>", "check <メッセージ>", "help", "quit"):
        assert command in out


def test_ctrl_c_in_a_terminal_ends_the_console_at_once(tmp_path):
    """In a terminal the console waits in a blocking read; Ctrl-C must not wait for it."""
    terminal, console_side = pty.openpty()
    console = subprocess.Popen(
        [sys.executable, "-m", "bot", "console"],
        stdin=console_side,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        cwd=tmp_path,
    )
    try:
        os.write(terminal, "チャットワークは無料ですか\n".encode())
        out, deadline = b"", time.monotonic() + 60
        while not ("無料".encode() in out and out.endswith(b"> ")):
            assert select.select([console.stdout], [], [], deadline - time.monotonic())[0]
            out += os.read(console.stdout.fileno(), 65536)
        console.send_signal(signal.SIGINT)
        assert console.wait(timeout=5) == 130
        assert b"Traceback" not in console.stderr.read()
    finally:
        console.kill()
        os.close(terminal)
        os.close(console_side)


def test_what_is_typed_in_the_console_stays_out_of_the_report(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(
        sys, "stdin", piped_stdin("大阪でおすすめの観光地は\nチャットワークは無料？\n")
    )
    assert main(["console"]) == 0
    capsys.readouterr()
    assert main(["report"]) == 0
    out = capsys.readouterr().out
    assert "Questions: 0 (" in out and "No unanswered questions recorded" in out


def test_ask_explain_shows_words_scores_and_the_deciding_gate(capsys):
    assert main(["ask", "--explain", "のうひんはどこからするの"]) == 0
    out = capsys.readouterr().out
    assert "words: 納品 は どこ から" in out  # spelled as the knowledge writes it
    assert "deliver-on-both:" in out and "tfidf" in out
    assert "required score: 0.45 (typed in kana only" in out
    assert "decision: answer: deliver-on-both" in out


def test_ask_json_explain_adds_an_explain_object(capsys):
    assert main(["ask", "--json", "--explain", "クラウドワークスの出金手数料はいくら？"]) == 0
    [reply] = json_lines(capsys.readouterr().out)
    assert set(reply) == CONTRACT_KEYS | {"explain"}
    assert reply["matched"] is False
    assert "しゅっきん" in reply["explain"]["decision"]  # readings: 出金 = しゅっきん


def test_check_explain_names_rule_span_and_suppression(capsys):
    assert main(["check", "--json", "--explain", "直接お会いするのは難しいので"]) == 0
    [report] = json_lines(capsys.readouterr().out)
    assert report["risk"] == "none"
    rule, learned = report["explain"]["rules"]
    assert rule["rule"] == "off-platform-contact" and rule["fired"] is False
    assert rule["span"] == "直接お会い" and rule["reason"].startswith("negated")
    assert learned["rule"] == "learned" and learned["fired"] is False
    threshold = load_knowledge().safety.learned.threshold
    assert learned["probability"] < threshold and learned["reason"] == f"below {threshold}"
    assert main(["check", "--explain", "LINEのID頂戴できますか？"]) == 0
    assert "contact-detail-request (off_platform_contact) fired on 「頂戴」" in (
        capsys.readouterr().out
    )
    assert main(["check", "--explain", "お預け入れは月末になりますが、先に書き始めてください"]) == 0
    assert "read 「お預け入れ」 as 「仮払い」" in capsys.readouterr().out
