// Enum values of the API → the Chinese people read. One table per field; unknown values show as they are.
export const ROLES: Record<string, string> = {
  deputy: "人大代表",
  department: "承办单位",
  staff: "人大工作人员",
  admin: "系统管理员",
  unit: "预算单位",
  public: "公众",
  editor: "网站编辑",
  town: "镇信息员",
};

export const SUGGESTION_STATUS: Record<string, string> = {
  submitted: "待审查",
  accepted: "已立案",
  rejected: "不予立案",
  merged: "已并案",
  routed: "待交办",
  assigned: "已交办",
  acknowledged: "办理中",
  returned: "已退回",
  replied: "已答复",
  rehandling: "重新办理",
  closed: "已办结",
  withdrawn: "已撤回",
};

export const SATISFACTION: Record<string, string> = {
  satisfied: "满意",
  basically_satisfied: "基本满意",
  unsatisfied: "不满意",
};

export const CHOICES: Record<string, string> = { yes: "赞成", no: "反对", abstain: "弃权" };

export const ERROR_CODES: Record<string, string> = {
  VALIDATION_ERROR: "填写的内容有误",
  UNAUTHENTICATED: "请先登录",
  FORBIDDEN: "没有权限进行此操作",
  NOT_FOUND: "没有找到",
  CONFLICT: "当前状态下不能进行此操作",
  RATE_LIMITED: "尝试次数过多，请稍后再试",
  SERVICE_UNAVAILABLE: "服务暂时不可用，请稍后重试",
  DEADLINE_EXCEEDED: "服务响应超时，请重试",
};

export function label(table: Record<string, string>, value: string | null | undefined): string {
  if (value === null || value === undefined) {
    return "";
  }
  return table[value] ?? value;
}

// -- console (issue 10): suggestion handling ------------------------------------------------
export const ASSIGNMENT_ROLE: Record<string, string> = { lead: "主办", co: "协办", separate: "分办" };

export const ASSIGNMENT_STATUS: Record<string, string> = {
  assigned: "待签收",
  acknowledged: "办理中",
  extension_requested: "延期待批",
  returned: "已退回",
  view_sent: "已送协办意见",
  replied: "已答复",
  withdrawn: "已撤回",
};

export const EXTENSION_STATUS: Record<string, string> = { requested: "待审批", approved: "已批准", denied: "未批准" };

export const REPLY_CATEGORY: Record<string, string> = {
  A: "A类（已解决或采纳）",
  B: "B类（正在解决或列入计划）",
  C: "C类（因条件限制留作参考）",
};

export const REJECT_REASON: Record<string, string> = {
  personal_matter: "属个人私事",
  petition: "属信访或投诉事项",
  court_case: "涉及诉讼案件",
  promotion: "属宣传推介",
  empty_content: "内容空泛",
  other: "其他",
};

/** What each department action is called, for "cannot … now" messages. */
export const ACTIONS: Record<string, string> = {
  acknowledge: "签收",
  return: "退回",
  request_extension: "申请延期",
  decide_extension: "审批延期",
  send_view: "提交协办意见",
  reply: "答复",
  follow_up: "补充答复",
  accept: "立案",
  reject: "不予立案",
  merge: "并案",
  assign: "交办",
  evaluate: "评价",
  withdraw: "撤回",
};

// -- console (issue 10): deputies' roster -----------------------------------------------------
export const DEPUTY_LEVEL: Record<string, string> = { county: "县人大代表", town: "乡镇人大代表" };
export const DEPUTY_STATUS: Record<string, string> = { active: "在任", inactive: "已离任" };
export const GENDER: Record<string, string> = { male: "男", female: "女" };

// -- mobile app (issue 9) ------------------------------------------------------------------
/** The categories a suggestion is filed under (the suggestion service's list). */
export const SUGGESTION_CATEGORIES = [
  "交通建设", "教育", "医疗卫生", "农业农村", "乡村振兴", "城乡建设",
  "社会保障", "生态环境", "文化旅游", "财政经济", "安全应急", "其他",
] as const;

// -- console (issue 10): department subscriptions ----------------------------------------------
/** A webhook delivery's state (services/webhooks). */
export const DELIVERY_STATUS: Record<string, string> = {
  pending: "待发送", delivered: "已送达", dead: "发送失败", cancelled: "已取消",
};
/** The department copies of suggestion events a subscription can receive. */
export const DEPARTMENT_EVENT: Record<string, string> = {
  suggestion_assigned: "交办", suggestion_acknowledged: "签收", suggestion_returned: "退回",
  suggestion_extension_decided: "延期审批结果", suggestion_view_sent: "协办意见", suggestion_replied: "答复",
  suggestion_followed_up: "补充答复", suggestion_evaluated: "代表评价", suggestion_rehandling_opened: "重新办理",
  suggestion_closed: "办结", suggestion_withdrawn: "撤回", suggestion_due_soon: "期限临近",
  suggestion_overdue: "已逾期",
};

// -- console (issue 10): meetings and voting ------------------------------------------------
export const MEETING_KIND: Record<string, string> = {
  standing_committee: "常委会会议",
  chairpersons: "主任会议",
  plenary: "人民代表大会会议",
};
export const ITEM_KIND: Record<string, string> = {
  resolution: "决议",
  decision: "决定",
  appointment: "任命名单",
  removal: "撤职",
  amendment: "修正案",
};
export const VOTING_MODE: Record<string, string> = {
  secret: "无记名表决",
  named: "记名表决",
  show_of_hands: "举手表决",
  paper: "纸质票表决",
};
export const ITEM_STATUS: Record<string, string> = { pending: "待表决", open: "表决中", closed: "表决已结束" };
export const MEETING_ROLE: Record<string, string> = { member: "组成人员", observer: "列席" };

// -- duty records, stations and voters (issue 13) -------------------------------------------
export const DUTY_PARTS: Record<string, string> = {
  basic: "基本信息",
  meetings: "出席会议",
  inspections: "视察调研执法检查",
  training: "学习培训",
  group_activities: "代表小组活动",
  suggestions: "建议意见",
  voters: "联系选民",
  awards: "表彰奖励",
};

export const DUTY_BANDS: Record<string, string> = { excellent: "优秀", good: "良好", pass: "合格", fail: "不合格" };

export const ACTIVITY_KINDS: Record<string, string> = {
  inspection: "视察",
  research: "调研",
  law_check: "执法检查",
  training: "学习培训",
  group: "代表小组活动",
  report_to_voters: "向选民述职",
  award: "表彰奖励",
};

export const MEETING_KINDS: Record<string, string> = {
  plenary: "人民代表大会会议",
  standing_committee: "常委会会议",
  chairpersons: "主任会议",
};

export const OPINION_VOTER_STATUS: Record<string, string> = {
  received: "已受理",
  in_progress: "办理中",
  answered: "已答复",
  declined: "不予受理",
  closed: "已办结",
};

// -- the portal and information work (issue 12) ---------------------------------------------------
export const ARTICLE_STATUS: Record<string, string> = {
  draft: "草稿",
  submitted: "待审核",
  approved: "待签发",
  scheduled: "定时发布",
  published: "已发布",
  withdrawn: "已撤稿",
};

export const ARTICLE_STEP: Record<string, string> = {
  create: "撰稿", edit: "修改", submit: "送审", reject: "退回", approve: "审核通过",
  publish: "签发", schedule: "定时签发", withdraw: "撤稿", auto_publish: "定时发布",
};

export const PIECE_KIND: Record<string, string> = { news: "信息", research: "调研文章" };

export const ADOPTION_LEVEL: Record<string, string> = {
  county: "县级", city: "市级", province: "省级", national: "国家级",
};

// -- console (issue 11): online budget supervision ----------------------------------------------
export const BUDGET_RULE: Record<string, string> = {
  pace_lag: "执行进度滞后",
  over_line: "超指标支付",
  no_line: "无指标支付",
  large_payment: "大额支付",
  personal_payee: "向个人大额支付",
  sangong_over: "三公经费超预算",
  year_end_rush: "年末突击花钱",
  idle_project: "项目资金闲置",
};

export const ALERT_STATUS: Record<string, string> = {
  raised: "待发送",
  sent: "待单位说明",
  explained: "单位已说明",
  rectification_required: "待整改",
  rectified: "已整改",
  closed: "已办结",
  resolved: "数据已消除",
};

export const ALERT_ACTION: Record<string, string> = {
  send: "发送单位",
  explain: "提交说明",
  accept: "采纳说明并办结",
  require_rectification: "要求整改",
  rectify: "报告整改",
  close: "办结",
  raised: "预警产生",
  resolved_by_data: "数据消除",
  reopened_by_data: "再次出现",
  condition_no_longer_holds: "情形已不存在",
};

export const ALERT_SEVERITY: Record<string, string> = { high: "高", medium: "中", low: "低" };

export const IMPORT_STATUS: Record<string, string> = {
  queued: "排队中",
  running: "导入中",
  committed: "已导入",
  rejected: "已拒绝",
};
