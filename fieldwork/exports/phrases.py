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
    "platform": {"en": "Platform tested", "zh-Hans": "受测平台", "zh-Hant": "受測平台"},
    "channel": {
        "en": "Customer-service channel tested",
        "zh-Hans": "受测客服渠道",
        "zh-Hant": "受測客服管道",
    },
    "slot": {"en": "Planned time slot", "zh-Hans": "计划时段", "zh-Hant": "計畫時段"},
    "test": {
        "en": "Shadow test number (the planned contact)",
        "zh-Hans": "暗访测试编号（计划的联系）",
        "zh-Hant": "神秘客測試編號（計畫的聯絡）",
    },
    "scenario": {
        "en": "Scenario the tester acted out",
        "zh-Hans": "暗访员扮演的情景",
        "zh-Hant": "神秘客扮演的情境",
    },
    # A shadow test's measures (exports.measures) and its events (exports.events_file).
    "planned_on": {
        "en": "Day the test was planned for (empty: any day of the wave)",
        "zh-Hans": "计划的测试日期（空白：本轮任意一天）",
        "zh-Hant": "計畫的測試日期（空白：本輪任一天）",
    },
    "spans_days": {
        "en": "Whether the test is a case over several days, such as a return or a repair",
        "zh-Hans": "是否为跨多日的个案（如退货、维修）",
        "zh-Hant": "是否為跨多日的個案（如退貨、維修）",
    },
    "contact_seconds": {
        "en": "Seconds from the test's first logged event to its last",
        "zh-Hans": "从第一条记录事件到最后一条的秒数",
        "zh-Hant": "從第一筆記錄事件到最後一筆的秒數",
    },
    "measure_interval": {
        "en": "{name}: seconds from its start event to its end event",
        "zh-Hans": "{name}：从起始事件到结束事件的秒数",
        "zh-Hant": "{name}：從起始事件到結束事件的秒數",
    },
    "measure_count": {
        "en": "{name}: times the events happened",
        "zh-Hans": "{name}：事件发生的次数",
        "zh-Hant": "{name}：事件發生的次數",
    },
    "measure_occurs": {
        "en": "{name}: whether the event happened",
        "zh-Hans": "{name}：事件是否发生",
        "zh-Hant": "{name}：事件是否發生",
    },
    "measure_followed": {
        "en": "{name}: times the event was followed as required",
        "zh-Hans": "{name}：事件按要求得到跟进的次数",
        "zh-Hant": "{name}：事件按要求得到跟進的次數",
    },
    "measure_of": {
        "en": "{name}: times the event happened",
        "zh-Hans": "{name}：事件发生的次数",
        "zh-Hant": "{name}：事件發生的次數",
    },
    "measure_pass": {
        "en": "{name}: whether the test meets the threshold",
        "zh-Hans": "{name}：是否达到标准",
        "zh-Hant": "{name}：是否達到標準",
    },
    "checklist_score": {
        "en": (
            "Checklist score out of 100: weighted, items not applicable left out, "
            "at most {cap} when a critical item fails"
        ),
        "zh-Hans": (
            "检查表得分（满分 100）：加权计算，不适用的项目不计，关键项目未通过时最多 {cap} 分"
        ),
        "zh-Hant": (
            "檢查表得分（滿分 100）：加權計算，不適用的項目不計，關鍵項目未通過時最多 {cap} 分"
        ),
    },
    "checklist_capped": {
        "en": "Whether a failed critical item capped the checklist score",
        "zh-Hans": "关键项目未通过是否使检查表得分封顶",
        "zh-Hant": "關鍵項目未通過是否使檢查表得分封頂",
    },
    "yes": {"en": "Yes", "zh-Hans": "是", "zh-Hant": "是"},
    "no": {"en": "No", "zh-Hans": "否", "zh-Hant": "否"},
    "passed": {"en": "Meets the threshold", "zh-Hans": "达标", "zh-Hant": "達標"},
    "failed": {"en": "Does not meet the threshold", "zh-Hans": "未达标", "zh-Hant": "未達標"},
    "happened": {"en": "Happened", "zh-Hans": "发生了", "zh-Hant": "發生了"},
    "not_happened": {"en": "Did not happen", "zh-Hans": "没有发生", "zh-Hant": "沒有發生"},
    "seconds": {"en": "seconds", "zh-Hans": "秒", "zh-Hant": "秒"},
    "times": {"en": "times", "zh-Hans": "次", "zh-Hant": "次"},
    "points": {"en": "points", "zh-Hans": "分", "zh-Hant": "分"},
    "event_response_id": {
        "en": "Response id of the test, as in the data files",
        "zh-Hans": "该测试的答卷编号（与数据文件一致）",
        "zh-Hant": "該測試的答卷編號（與資料檔一致）",
    },
    "sequence": {
        "en": "Place of the event in the test, from 1, in the order it happened",
        "zh-Hans": "事件在该测试中的次序（从 1 开始，按发生先后）",
        "zh-Hant": "事件在該測試中的次序（從 1 開始，依發生先後）",
    },
    "code": {"en": "Event logged", "zh-Hans": "记录的事件", "zh-Hant": "記錄的事件"},
    "device_at": {
        "en": "When it happened, by the tester's device (UTC, ISO 8601)",
        "zh-Hans": "发生时间，以暗访员设备为准（UTC，ISO 8601）",
        "zh-Hant": "發生時間，以神秘客裝置為準（UTC，ISO 8601）",
    },
    "received_at": {
        "en": "When the server received it (UTC, ISO 8601)",
        "zh-Hans": "服务器收到的时间（UTC，ISO 8601）",
        "zh-Hant": "伺服器收到的時間（UTC，ISO 8601）",
    },
    "offset_seconds": {
        "en": "Seconds from the test's first event, by device time",
        "zh-Hans": "距该测试第一条事件的秒数（以设备时间计）",
        "zh-Hant": "距該測試第一筆事件的秒數（以裝置時間計）",
    },
    "entered": {
        "en": "How the event was logged",
        "zh-Hans": "事件的记录方式",
        "zh-Hant": "事件的記錄方式",
    },
    "entered_tap": {
        "en": "Tapped on the logger as it happened",
        "zh-Hans": "发生时在记录器上点按",
        "zh-Hant": "發生時在記錄器上點按",
    },
    "entered_typed": {
        "en": "Typed in afterwards with its time",
        "zh-Hans": "事后连同时间手动输入",
        "zh-Hant": "事後連同時間手動輸入",
    },
    "note": {
        "en": "The tester's note on the event, as typed (empty: none)",
        "zh-Hans": "暗访员对该事件的备注（空白：无）",
        "zh-Hant": "神秘客對該事件的備註（空白：無）",
    },
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
    Missing.NOT_MEASURED.name: {
        "en": "Shadow test: the indicator does not measure tests of this scenario or channel",
        "zh-Hans": "暗访测试：该指标不适用于此情景或渠道的测试",
        "zh-Hant": "神秘客測試：該指標不適用於此情境或管道的測試",
    },
    Missing.NOT_REACHED.name: {
        "en": "Shadow test: the events this measure needs were never logged (the indicator fails)",
        "zh-Hans": "暗访测试：从未记录到此项所需的事件（指标未达标）",
        "zh-Hant": "神秘客測試：從未記錄到此項所需的事件（指標未達標）",
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
