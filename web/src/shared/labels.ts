// Enum values of the API → the Chinese people read. One table per field; unknown values show as they are.
export const ROLES: Record<string, string> = {
  deputy: "人大代表",
  department: "承办单位",
  staff: "人大工作人员",
  admin: "系统管理员",
  public: "公众",
};

export const SUGGESTION_STATUS: Record<string, string> = {
  submitted: "待审查",
  accepted: "已立案",
  rejected: "不予立案",
  merged: "已并案",
  assigned: "已交办",
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

// -- mobile app (issue 9) ------------------------------------------------------------------
/** The categories a suggestion is filed under (the suggestion service's list). */
export const SUGGESTION_CATEGORIES = [
  "交通建设", "教育", "医疗卫生", "农业农村", "乡村振兴", "城乡建设",
  "社会保障", "生态环境", "文化旅游", "财政经济", "安全应急", "其他",
] as const;

export const DEPUTY_LEVELS: Record<string, string> = { county: "县人大代表", town: "乡镇人大代表" };

export const ASSIGNMENT_ROLES: Record<string, string> = { lead: "主办", co: "协办", separate: "分办" };

export const REPLY_CATEGORIES: Record<string, string> = {
  A: "A 类（已解决或采纳）",
  B: "B 类（正在解决或列入计划）",
  C: "C 类（因条件限制留作参考）",
};

export const REJECT_REASONS: Record<string, string> = {
  personal_matter: "属个人事务",
  petition: "属信访事项",
  court_case: "属诉讼案件",
  promotion: "属宣传推介",
  empty_content: "内容空泛",
  other: "其他原因",
};

/** statuses of the handling workflow the first table does not name */
export const SUGGESTION_STATUS_MORE: Record<string, string> = {
  routed: "已分办",
  acknowledged: "已签收",
  returned: "已退回",
};
