"""English texts. The keys are those of ja.py (a test checks it)."""

TEXTS: dict[str, str] = {
    # Answers
    "did_you_mean": "Did you mean one of these?",
    "no_answer": "Sorry, I couldn't find an answer to that. Please pick one of these topics.",
    "source": "Source",
    "as_of": "as of",
    "related": "Related",
    "topics": "Topics",
    "topic_placeholder": "Choose a topic",
    "topic_placeholder_more": "More topics",
    "empty_question": "Please write a question (e.g. 'when can I share my Chatwork ID?'). `/faq` works too.",
    "entry_gone": "That topic no longer exists (the FAQ may have been updated).",
    # Safety check
    "risk_danger": "⚠️ This message has serious risks",
    "risk_caution": "⚠️ This message needs care",
    "risk_none": "✅ No known risky pattern found.",
    "severity_danger": "Danger",
    "severity_caution": "Caution",
    "rule": "Rule",
    "advice": "What to do",
    "reply_template": "Reply you can send",
    "alternative_template": "Another reply (to decline)",
    "no_text": "That message has no text to check.",
    "check_usage": "Paste the client's message (e.g. check please send me your chatwork id).",
    "check_message_usage": "Paste the client's message after the command: `/check-message please send me your chatwork id`.",
    # Walkthrough
    "walk_next": "Next",
    "walk_back": "Back",
    "walk_restart": "Start over",
    "progress_not_saved": (
        "⚠️ Your progress may not be saved right now, so next time you may start over. "
        "You can go on with the guide."
    ),
    "not_yours": "Only the person who started this guide can use its buttons. Run `/chatwork-safe` for your own.",
    # Reminders
    "remind_button": "Remind me tomorrow",
    "remind_scheduled": "I'll send you a DM at {when} to check your application status.",
    "remind_cancel": "Cancel reminder",
    "remind_cancelled": "Reminder cancelled.",
    "remind_pending": "⏰ Pending reminder",
    "remind_check_application": (
        "⏰ Reminder: check the result of your off-platform contact application "
        "(サービス外連絡申請) on CrowdWorks — it is shown beside the message box. Don't exchange "
        "Chatwork IDs until it is approved. Continue with `/chatwork-safe`."
    ),
    # Feedback
    "feedback_thanks": "Thanks for the feedback!",
    "feedback_question": "What was missing? (optional)",
    "feedback_title": "Help us improve this answer",
    # Limits and errors
    "rate_limited": "Please wait a moment and try again (about {seconds} s).",
    "error": "Sorry, something went wrong. Please try again.",
    "store_unavailable": "Sorry, I can't save that right now. Please try again in a moment.",
    # Moderators
    "not_moderator": "This command is for members with the Manage Server permission.",
    "reloaded": "Reloaded: {faq} FAQ entries, {steps} walkthrough steps.",
    "reload_failed": "Reload failed; still serving the last good knowledge.\n\n{problems}",
    "gaps_none": "No unanswered questions recorded.",
    "gaps_heading": "Unanswered questions:",
    "stats_period_all": "Period: all time",
    "stats_period_since": "Period: since {since}",
    "stats_questions": (
        "Questions: {questions} (answered {answered}, suggestions {suggested}, "
        "unanswered {unanswered}); answer rate {answer_rate}"
    ),
    "stats_feedback": "Feedback: 👍 {helpful} / 👎 {not_helpful}; helpful {helpful_ratio}",
    "stats_walkthrough": "Walkthrough: started {started}, finished {finished}; completion {completion}",
    "stats_most_asked": "Most asked:",
    "stats_removed_entry": "{entry_id} (removed)",
    # Console
    "console_welcome": (
        "chatwork-safe-bot console — type a question (e.g. 'is chatwork free?'); /chatwork-safe "
        "for the step-by-step guide; check <message> to safety-check a client's message; "
        "a number picks a listed item; help lists the commands; quit."
    ),
    "unreadable_input": "I couldn't read that input: please type UTF-8 or Shift_JIS (CP932) text.",
    "console_guide_closed": "Guide closed. /chatwork-safe resumes where you left off.",
    "console_pick_number": "Please enter a number from 1 to {count}.",
    "console_guide_hint": "(enter a number; q closes the guide)",
    "console_help": (
        "Commands:\n"
        "  (type a question)     answers from the FAQ (e.g. when can I share my Chatwork ID?)\n"
        "  /chatwork-safe        the step-by-step guide to moving safely (resumes where you left off)\n"
        "  check <message>       safety-check a client's message\n"
        "  a number              picks a listed topic or a guide option\n"
        "  q                     closes the guide\n"
        "  help                  this list\n"
        "  quit (or Ctrl-C / Ctrl-D)  leave"
    ),
    "console_nothing_to_pick": "There is no list to pick a number from right now. Type a question, or help for the commands.",
    "console_unknown_command": "There is no command {command}. Type help for the commands.",
    "console_guide_resumed": "Resuming where you left off: {title} (choose Start over to begin again).",
    "console_guide_finish": "Finish (close the guide)",
    "console_guide_finished": "Well done! The guide is closed. Type any other question you have.",
    # Discord application commands: the English names are the defaults every locale sees
    "command.faq": "faq",
    "command.faq.description": "Answers questions about moving from CrowdWorks to Chatwork",
    "command.faq.question": "question",
    "command.faq.question.description": "What you want to know (suggestions appear as you type)",
    "command.faq.public": "public",
    "command.faq.public.description": "Answer visibly for everyone in the channel",
    "command.chatwork-safe": "chatwork-safe",
    "command.chatwork-safe.description": "Step-by-step guide to moving to Chatwork safely",
    "command.faq-admin": "faq-admin",
    "command.faq-admin.description": "FAQ bot tools for moderators",
    "command.faq-admin.reload": "reload",
    "command.faq-admin.reload.description": "Reload the knowledge files",
    "command.faq-admin.gaps": "gaps",
    "command.faq-admin.gaps.description": "Unanswered questions, grouped by similarity",
    "command.faq-admin.stats": "stats",
    "command.faq-admin.stats.description": "Usage figures",
    "command.safety-check": "Safety check",
    "command.check-message": "check-message",
    "command.check-message.description": "Check a client's message for known risks",
    "command.check-message.text": "text",
    "command.check-message.text.description": "The client's message",
}
