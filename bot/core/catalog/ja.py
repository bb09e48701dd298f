"""日本語の文言。キーは en.py と同じ（テストで確認）。"""

TEXTS: dict[str, str] = {
    # Answers
    "did_you_mean": "もしかして、こちらのことですか？",
    "no_answer": "すみません、その質問にはお答えできませんでした。次から選んでください。",
    "source": "出典",
    "as_of": "時点",
    "related": "関連",
    "topics": "トピック一覧",
    "topic_placeholder": "トピックを選ぶ",
    "topic_placeholder_more": "その他のトピック",
    "empty_question": "質問を書いてください（例: チャットワークIDはいつ交換していい？）。`/faq` でも聞けます。",
    "entry_gone": "その項目は見つかりませんでした（内容が更新された可能性があります）。",
    # Safety check
    "risk_danger": "⚠️ 危険なポイントがあります",
    "risk_caution": "⚠️ 注意が必要なポイントがあります",
    "risk_none": "✅ 既知の危険なパターンは見つかりませんでした。",
    "severity_danger": "危険",
    "severity_caution": "注意",
    "rule": "ルール",
    "advice": "どうする？",
    "reply_template": "そのまま使える返信文",
    "alternative_template": "別の返信文（断る場合）",
    "no_text": "このメッセージには確認できる本文がありません。",
    "check_usage": "クライアントからのメッセージを貼り付けてください（例: check IDを教えてください）。",
    "check_message_usage": "コマンドのあとにクライアントからのメッセージを貼り付けてください（例: `/check-message IDを教えてください`）。",
    # Walkthrough
    "walk_next": "次へ",
    "walk_back": "戻る",
    "walk_restart": "最初から",
    "progress_not_saved": (
        "⚠️ いま進み具合を保存できないため、次回は最初からになるかもしれません。"
        "ガイドはこのまま続けられます。"
    ),
    "not_yours": "このボタンは操作した本人だけが使えます。`/chatwork-safe` で自分のガイドを始められます。",
    # Reminders
    "remind_button": "明日リマインドする",
    "remind_scheduled": "{when} にDMで申請状況の確認をお知らせします。",
    "remind_cancel": "リマインドを取り消す",
    "remind_cancelled": "リマインドを取り消しました。",
    "remind_pending": "⏰ リマインド予定",
    "remind_check_application": (
        "⏰ リマインドです。クラウドワークスでサービス外連絡申請の結果を確認しましょう"
        "（メッセージ入力欄の横に表示されます）。承認されるまではチャットワークIDを交換しないでください。"
        "続きは `/chatwork-safe` から。"
    ),
    # Feedback
    "feedback_thanks": "フィードバックありがとうございます！",
    "feedback_question": "何が足りませんでしたか？（任意）",
    "feedback_title": "回答の改善にご協力ください",
    # Limits and errors
    "rate_limited": "少し間を空けてからもう一度どうぞ（約{seconds}秒後）。",
    "error": "すみません、処理中にエラーが発生しました。もう一度お試しください。",
    "store_unavailable": "すみません、いま保存ができません。少し待ってからもう一度お試しください。",
    # Moderators
    "not_moderator": "このコマンドはサーバー管理権限（Manage Server）を持つメンバーだけが使えます。",
    "reloaded": "再読み込みしました: FAQ {faq}件、ガイド {steps}ステップ。",
    "reload_failed": "再読み込みに失敗しました。前回の正常なナレッジのまま動いています。\n\n{problems}",
    "gaps_none": "未回答の質問はありません。",
    "gaps_heading": "未回答の質問:",
    "stats_period_all": "期間: 全期間",
    "stats_period_since": "期間: {since} 以降",
    "stats_questions": (
        "質問: {questions}件（回答 {answered}、候補提示 {suggested}、未回答 {unanswered}）; "
        "回答率 {answer_rate}"
    ),
    "stats_feedback": "フィードバック: 👍 {helpful} / 👎 {not_helpful}; 役に立った {helpful_ratio}",
    "stats_walkthrough": "ガイド: 開始 {started}、完了 {finished}; 完了率 {completion}",
    "stats_most_asked": "よく見られた項目:",
    "stats_removed_entry": "{entry_id}（削除済み）",
    # Console
    "console_welcome": (
        "chatwork-safe-bot コンソール — 質問を入力してください（例: チャットワークIDはいつ交換していい？）。\n"
        "  /chatwork-safe: 安全に移行する手順ガイド   check <メッセージ>: クライアントの文面を安全チェック\n"
        "  番号: 表示された候補を選ぶ   help: 使い方   quit: 終了"
    ),
    "unreadable_input": "その入力は読み取れませんでした。UTF-8 か Shift_JIS（CP932）の文字で入力してください。",
    "console_guide_closed": "ガイドを閉じました。/chatwork-safe で続きから再開できます。",
    "console_pick_number": "1〜{count} の番号を入力してください。",
    "console_guide_hint": "（番号を入力。q でガイドを閉じる）",
    "console_help": (
        "使えるコマンド:\n"
        "  （質問をそのまま入力）  FAQ から答えます（例: チャットワークIDはいつ交換していい？）\n"
        "  /chatwork-safe        安全に移行する手順ガイド（前回の続きから再開）\n"
        "  check <メッセージ>    クライアントの文面を安全チェック\n"
        "  番号                  表示された候補・ガイドの選択肢を選ぶ\n"
        "  q                     ガイドを閉じる\n"
        "  help                  この一覧\n"
        "  quit（または Ctrl-C / Ctrl-D）  終了"
    ),
    "console_nothing_to_pick": "いま番号で選べる候補はありません。質問を入力するか、help で使い方を表示してください。",
    "console_unknown_command": "「{command}」というコマンドはありません。help で使えるコマンドを表示します。",
    "console_guide_resumed": "前回の続き「{title}」から再開します（最初からやり直すときは「最初から」を選んでください）。",
    "console_guide_finish": "完了（ガイドを閉じる）",
    "console_guide_finished": "お疲れさまでした！ガイドを閉じました。ほかに質問があればそのまま入力してください。",
    # Discord application commands (names follow Discord's rules for localised names)
    "command.faq": "よくある質問",
    "command.faq.description": "チャットワーク移行についての質問に答えます",
    "command.faq.question": "質問",
    "command.faq.question.description": "聞きたいこと（入力すると候補が出ます）",
    "command.faq.public": "公開",
    "command.faq.public.description": "チャンネルの全員に見える形で答える",
    "command.chatwork-safe": "チャットワーク安全ガイド",
    "command.chatwork-safe.description": "クラウドワークスからチャットワークへ安全に移る手順を案内します",
    "command.faq-admin": "faq管理",
    "command.faq-admin.description": "モデレーター向けのFAQボット管理ツール",
    "command.faq-admin.reload": "再読み込み",
    "command.faq-admin.reload.description": "ナレッジファイルを読み込み直す",
    "command.faq-admin.gaps": "未回答",
    "command.faq-admin.gaps.description": "答えられなかった質問を似たものごとにまとめて表示",
    "command.faq-admin.stats": "統計",
    "command.faq-admin.stats.description": "利用状況の数字",
    "command.safety-check": "安全チェック",
    "command.check-message": "メッセージ安全チェック",
    "command.check-message.description": "クライアントのメッセージに既知の危険がないか確認します",
    "command.check-message.text": "本文",
    "command.check-message.text.description": "クライアントから届いたメッセージ",
}
