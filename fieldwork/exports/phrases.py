"""Fixed words of the codebook in the languages questionnaires are written in.

The codebook gives every text in every language of its questionnaire, including
the few words the export itself adds (column descriptions, missing-code labels).
Exports run outside a request, so these live here rather than in the UI's
message catalogue; a language missing here falls back to English.
"""

from __future__ import annotations

from collections.abc import Mapping

from fieldwork.exports.records import Missing

FALLBACK = "en"

PHRASES: Mapping[str, Mapping[str, str]] = {
    "response_id": {
        "en": "Response id (stable, never reused)",
        "zh-Hans": "答卷编号（固定，不会重复使用）",
        "zh-Hant": "答卷編號（固定，不會重複使用）",
    },
    "questionnaire_id": {"en": "Questionnaire id", "zh-Hans": "问卷编号", "zh-Hant": "問卷編號"},
    "questionnaire_version": {
        "en": "Questionnaire version",
        "zh-Hans": "问卷版本",
        "zh-Hant": "問卷版本",
    },
    "mode": {
        "en": "Mode: online, paper or shadow test",
        "zh-Hans": "填答方式：在线、纸质或暗访",
        "zh-Hant": "填答方式：線上、紙本或神秘客",
    },
    "segment": {"en": "Respondent segment", "zh-Hans": "受访者群体", "zh-Hant": "受訪者群體"},
    "segment_source": {
        "en": "Where the segment came from (the answers or the invitation link)",
        "zh-Hans": "群体的来源（由回答推出或来自邀请链接）",
        "zh-Hant": "群體的來源（由回答推出或來自邀請連結）",
    },
    "language": {
        "en": "Language the questionnaire was answered in",
        "zh-Hans": "填答语言",
        "zh-Hant": "填答語言",
    },
    "text_size": {"en": "Text size chosen", "zh-Hans": "选择的字号", "zh-Hant": "選擇的字級"},
    "contrast": {"en": "Contrast chosen", "zh-Hans": "选择的对比度", "zh-Hant": "選擇的對比度"},
    "sheet_id": {
        "en": "Paper sheet id, as printed on the sheet",
        "zh-Hans": "纸质问卷编号（印在问卷上）",
        "zh-Hant": "紙本問卷編號（印在問卷上）",
    },
    "entry_pass": {
        "en": "Entry pass of the paper sheet (1: first typing, 2: second)",
        "zh-Hans": "纸质问卷的录入轮次（1：第一次录入，2：第二次）",
        "zh-Hant": "紙本問卷的輸入輪次（1：第一次輸入，2：第二次）",
    },
    "double_entered": {
        "en": "Whether the sheet was typed in twice, blind, and the two entries compared (yes/no)",
        "zh-Hans": "该问卷是否经两次盲录并比对（yes/no）",
        "zh-Hant": "該問卷是否經兩次盲錄並比對（yes/no）",
    },
    "keyer": {
        "en": "Who typed the sheet in (a pseudonym, the same within this batch)",
        "zh-Hans": "录入人（化名，本批次内一致）",
        "zh-Hant": "輸入人（化名，本批次內一致）",
    },
    "tester": {
        "en": "Who ran the shadow test (a pseudonym, the same within this batch)",
        "zh-Hans": "暗访员（化名，本批次内一致）",
        "zh-Hant": "神秘客（化名，本批次內一致）",
    },
    "test": {
        "en": "The planned shadow test's number",
        "zh-Hans": "计划暗访测试编号",
        "zh-Hant": "計畫暗訪測試編號",
    },
    "platform": {"en": "Platform tested", "zh-Hans": "受测平台", "zh-Hant": "受測平台"},
    "channel": {
        "en": "Customer-service channel tested",
        "zh-Hans": "受测客服渠道",
        "zh-Hant": "受測客服管道",
    },
    "scenario": {"en": "Scenario acted out", "zh-Hans": "测试情景", "zh-Hant": "測試情境"},
    "slot": {"en": "Planned time slot", "zh-Hans": "计划时段", "zh-Hant": "計畫時段"},
    "started_at": {
        "en": "Start time (UTC, ISO 8601)",
        "zh-Hans": "开始时间（UTC，ISO 8601）",
        "zh-Hant": "開始時間（UTC，ISO 8601）",
    },
    "submitted_at": {
        "en": "Submit time (UTC, ISO 8601)",
        "zh-Hans": "提交时间（UTC，ISO 8601）",
        "zh-Hant": "提交時間（UTC，ISO 8601）",
    },
    "duration_seconds": {
        "en": "Seconds from start to submit",
        "zh-Hans": "从开始到提交的秒数",
        "zh-Hant": "從開始到提交的秒數",
    },
    "selected": {"en": "Selected", "zh-Hans": "已选", "zh-Hant": "已選"},
    "not_selected": {"en": "Not selected", "zh-Hans": "未选", "zh-Hant": "未選"},
    "minutes": {"en": "minutes", "zh-Hans": "分钟", "zh-Hant": "分鐘"},
    "missing_code": {"en": "Missing code", "zh-Hans": "缺失值代码", "zh-Hant": "缺失值代碼"},
    Missing.NOT_SHOWN.name: {
        "en": "Not shown: hidden by its condition given earlier answers",
        "zh-Hans": "未显示：根据前面的回答，此题没有出现",
        "zh-Hant": "未顯示：根據前面的回答，此題沒有出現",
    },
    Missing.NOT_APPLICABLE.name: {"en": "Not applicable", "zh-Hans": "不适用", "zh-Hant": "不適用"},
    Missing.DONT_KNOW.name: {"en": "Don't know", "zh-Hans": "不知道", "zh-Hant": "不知道"},
    Missing.NOT_ANSWERED.name: {
        "en": "Not answered: shown but left blank",
        "zh-Hans": "未回答：题目出现了但没有作答",
        "zh-Hant": "未回答：題目出現了但沒有作答",
    },
    Missing.BLANK.name: {
        "en": "Paper: left blank on the sheet",
        "zh-Hans": "纸质问卷：该题留空",
        "zh-Hant": "紙本問卷：該題留空",
    },
    Missing.ILLEGIBLE.name: {
        "en": "Paper: the answer cannot be read",
        "zh-Hans": "纸质问卷：字迹无法辨认",
        "zh-Hant": "紙本問卷：字跡無法辨認",
    },
    Missing.SEVERAL_TICKED.name: {
        "en": "Paper: more than one box ticked where one answer was asked for",
        "zh-Hans": "纸质问卷：单选题勾选了多个选项",
        "zh-Hant": "紙本問卷：單選題勾選了多個選項",
    },
}


def phrase(key: str, language: str) -> str:
    """The phrase in `language`, else in its base language (zh-Hans-CN → zh-Hans), else English."""
    texts = PHRASES[key]
    tag = language
    while tag:
        if tag in texts:
            return texts[tag]
        tag = tag.rpartition("-")[0]
    return texts[FALLBACK]
