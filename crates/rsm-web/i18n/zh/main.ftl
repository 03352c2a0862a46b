# RSM 页面 — 简体中文（完整翻译：英文目录中的每个键均在此处）。

app-name = RSM
skip-to-content = 跳到正文
footer = 东北亚地区安全机制
times-shown-in = 时间以 { $zone } 显示
language = 语言
language-change = 更改
nav-label = 主菜单
nav-dashboard = 概览
nav-parties = 缔约方
nav-bodies = 机构
nav-tokens = 我的令牌
nav-people = 用户
nav-audit = 审计记录
sign-in = 登录
sign-out = 退出登录
signed-in-as = 当前登录：{ $name }
yes = 是
save = 保存
cancel = 取消
always = 始终
never = 从不
today = 今天
since = 自 { $date } 起
filter = 筛选
filter-clear = 清除
pager = 页码
newest = 最新
older = 较早
legend = 图例

# 登录
signin-intro = 请使用秘书处为您开设的账户登录。
signin-wrong = 用户名或密码不正确。
signin-throttled = 失败次数过多。请等待几分钟后再试。
signin-expired = 登录表单已过期。请重试。
field-username = 用户名
field-password = 密码

# 欢迎页（未登录）
welcome-title = 地区安全机制
welcome-text = 东北亚地区安全机制平台。请登录以查看您所在的机构及与您相关的事项。

# 概览
dash-today = 今天是 { $date }（UTC）。
dash-my-bodies = 我的机构
dash-no-bodies = 目前尚无机构将您列为成员。
dash-due = 即将到期
dash-nothing-due = 暂无到期事项。通报和默许程序的截止时间将显示在此处。
dash-parties = 各方参与情况
dash-recent = 最近动态
dash-no-recent = 暂无最近动态。
recent-revision = { $body }：第 { $revision } 次修订（{ $reason }）
recent-mine = 您：{ $action }
chair-is = 主席：{ $party }

# 状态、类别、角色、权限范围
status-participating = 参与
status-invited = 受邀
status-suspended = 暂停
status-withdrawn = 退出
kind-ministerial-council = 部长级理事会
kind-working-group-security = 工作组（安全）
kind-working-group-economic = 工作组（经济）
kind-working-group-humanitarian = 工作组（人道主义）
kind-talks = 会谈
visibility-public = 公开
visibility-restricted = 限制
role-secretariat-admin = 秘书处管理员
role-secretariat-officer = 秘书处官员
role-delegate = 代表
role-auditor = 审计员
role-focal-point = 人道主义联络点
role-working-group-member = 工作组成员
scope-read = 读取
scope-write = 写入

# “最近动态”中的操作
action-session-sign-in = 已登录
action-session-sign-out = 已退出登录
action-participation-seed = 初始化了参与时间线
action-body-read = 查阅了一个限制性机构
action-body-list = 列出了机构
action-body-create = 创建了一个机构
action-body-update = 编辑了一个机构
action-participation-set = 记录了一项参与变更
action-account-create = 创建了一个账户
action-account-preferences = 更改了偏好设置
action-account-password = 更改了密码
action-account-disable = 停用了一个账户
action-account-enable = 启用了一个账户
action-token-create = 创建了一个 API 令牌
action-token-revoke = 撤销了一个 API 令牌

# 缔约方
party-cn = 中国
party-jp = 日本
party-kp = 朝鲜民主主义人民共和国
party-kr = 大韩民国
party-ru = 俄罗斯联邦
party-us = 美国
col-party = 缔约方
col-status = 状态
col-since = 起始日期
col-basis = 依据
col-effective = 生效日期
col-recorded = 记录时间
party-history = 参与历史
party-no-history = 尚无变更记录；该方视为受邀。
party-record-change = 记录参与变更
party-record-hint = 变更自今天或之后生效，绝不改写过去的答复。
party-record-submit = 记录变更
timeline-label = 参与情况时间线
hint-effective = 新状态的首日，格式为 YYYY-MM-DD。

# 机构
col-body = 机构
col-kind = 类别
col-visibility = 可见范围
col-members = 成员
col-chair = 主席
col-active = 运作
col-when = 时间
col-by = 操作人
col-reason = 理由
members-all = 所有参与方
bodies-empty = 没有您可查看的机构。
body-new = 新建机构
body-create = 创建机构
body-edit = 编辑机构
body-inactive = 未运作
body-must-agree = 今日须同意的成员
body-active-while = 在 { $party } 参与期间运作
body-rotation = 主席轮值
body-no-rotation = 尚未设定主席轮值。
body-revisions = 修订记录
field-body-id = 标识符
hint-body-id = 2–40 个字符：a–z、0–9 和“-”，须以字母开头。设定后不可更改。
field-name = 名称
hint-members = 或在下方勾选成员方（限制性机构必须勾选）。
hint-rotation = 按顺序填写缔约方代码，以逗号分隔。
field-rotation-start = 轮值起始年份
field-active-while = 运作条件
hint-reason = 作出此项变更所依据的决定或文书。
form-has-errors = 请更正下方标出的字段。
form-conflict = 在此期间已有他人更改此项，或该项已存在。请重新加载后再试。

# 用户
field-display-name = 显示名称
field-role = 角色
field-wg-body = 工作组（适用于其成员）
field-time-zone = 时区
hint-password = 至少 12 个字符。仅使用 API 令牌的账户请留空。
col-state = 状态
col-actions = 操作
account-active = 启用
account-disabled = 已停用
account-disable = 停用
account-enable = 启用
account-disable-who = 停用 { $name }
account-enable-who = 启用 { $name }
account-new = 新建账户
account-create = 创建账户

# 令牌
tokens-intro = API 令牌使脚本和本国镜像能够以您的身份使用 API。每个令牌仅显示一次。
tokens-empty = 您没有 API 令牌。
token-new = 新建令牌
token-create = 创建令牌
token-created = 您的新令牌：
token-shown-once = 请立即复制：令牌仅以摘要形式存储，无法再次显示。
token-revoke = 撤销
token-revoke-which = 撤销 { $name }
token-revoked = 已撤销
field-token-name = 名称
field-scope = 权限范围
field-expires-days = 有效期（天）
hint-expires = 1–3650；留空则令牌永不过期。
col-created = 创建时间
col-expires = 过期时间
col-last-used = 最近使用

# 审计
audit-filter = 筛选审计记录
audit-empty = 没有匹配的事件。
col-actor = 操作人
col-action = 操作
col-target = 对象
col-source = 来源
col-detail = 详情

# 偏好设置
me-title = 我的偏好设置
hint-time-zone = IANA 时区，例如 Asia/Seoul。时间将按该时区显示。

# 提示消息
flash-signed-out = 您已退出登录。
flash-saved = 已保存。
flash-participation-recorded = 参与变更已记录。
flash-body-created = 机构已创建。
flash-body-saved = 机构已保存为新的修订版本。
flash-account-created = 账户已创建。
flash-account-disabled = 账户已停用，其会话已结束。
flash-account-enabled = 账户已启用。
flash-token-revoked = 令牌已撤销。

# 错误
error-404-title = 未找到页面
error-404-text = 此处没有内容，或您无权查看。
error-403-title = 不允许
error-403-text = 您的角色不允许此操作。
error-csrf-text = 此表单已过期。请返回，重新加载页面后再试。
error-401-title = 请先登录
error-401-text = 请登录以查看此页面。
error-429-title = 尝试次数过多
error-500-title = 出现错误
error-500-text = 这是我们的问题。如再次发生，请告知秘书处并提供下方的参考编号。
error-422-title = 请求无效
error-409-title = 冲突
error-409-text = 在此期间已有他人更改此项。请重新加载后再试。
error-400-title = 错误的请求
error-400-text = 无法读取该请求。
error-reference = 参考编号：
error-home = 返回概览

# API 校验规则（文字说明）
rule-basis = 请写明作出此项变更的决定或文书。
rule-retroactive = 生效日期早于今天：变更不得改写过去的答复。
rule-out-of-order = 生效日期早于该方上一次变更的日期。
rule-unchanged = 该方在该日期已处于此状态。
rule-date = 请输入 1945-01-01 至 2200-12-31 之间的日期，格式为 YYYY-MM-DD。
rule-status = 请选择参与、受邀、暂停或退出。
rule-party = 不是缔约方代码：请使用 CN、JP、KP、KR、RU 或 US。
rule-reason = 请写明此项变更所依据的决定或文书。
rule-year = 请输入 1945 至 2200 之间的年份。
rule-visibility = 请选择公开或限制。
rule-kind = 请选择机构类别。
rule-name-empty = 请输入名称。
rule-name-long = 名称超过 200 个字符。
rule-restricted-members = 限制性机构须勾选其成员方。
rule-no-members = 请至少勾选一个成员方。
rule-chair-not-member = 轮值顺序中包含非成员方。
rule-chair-twice = 轮值顺序中某一缔约方出现了两次。
rule-body-id = 请使用 2–40 个字符（a–z、0–9 和“-”），须以字母开头。
rule-password-short = 密码至少须有 12 个字符。
rule-username = 请使用 3–64 个字符（a–z、0–9、“.”、“_”和“-”）。
rule-display-name = 请输入 1–200 个字符。
rule-token-name = 请输入 1–100 个字符。
rule-scope = 请选择读取或写入。
rule-expiry = 请输入 1 至 3650 之间的天数。
rule-time-zone = 请输入 IANA 时区，例如 Asia/Seoul。
rule-exists = 该标识符已被占用。
