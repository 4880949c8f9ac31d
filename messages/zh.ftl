# 代金券收银终端的文字（简体中文）。以 en.ftl 为准；每条消息的 id 和 { $变量 } 必须保留。
# 翻译须经审核后方可在门店使用，见 README 的 “Languages” 一节。

## 顶栏与提示条

app-name = 代金券收银终端
sandbox-badge = 沙盒
simulate-network-loss = 模拟断网
restore-network = 恢复网络
terminal = 终端
pending-label = 待发送：
queue-oldest = （最早 { $minutes } 分钟）
review-label = 待复核：
review-link =
    .aria-label = 打开复核收件箱
cashier-label = 收银员：
signed-out = 未登录
cashier-with-id = { $name }（{ $id }）
sign-out = 退出登录
checkout = 收银
manager = 经理
link-online = ● 在线
link-offline = ○ 离线
link-degraded = ◐ 在线（服务不稳定）
condition-store-failure = 终端无法保存（{ $message }）：现在不能收代金券。请让顾客用其他方式付款，并联系值班工程师。
condition-key-rejected = 代金券服务拒绝了本终端的 API 密钥（{ $message }）。代金券在队列中等待。请联系经理：在 经理 → 设置 中填入正确的密钥。
condition-offline = 离线：无法连接代金券服务。已扫描的代金券会保留，联网后发送；本笔交易请按门店规定处理。
condition-degraded = 代金券服务暂时出错。代金券已保留并会重试，不会丢失。

## 关闭终端，以及无法启动的终端

close-title = 关闭终端？
vouchers-waiting-to-be-sent = 等待发送的代金券会留在队列中，下次启动时发送。
manager-pin = 经理 PIN
close-submit = 关闭终端
keep-it-open = 保持开启
the-terminal-cannot-take-vouchers = 终端无法收代金券
what-to-do = 怎么办：
problem-code-label = 代码：

## 登录

cashier-sign-in = 收银员登录
language-label = 语言
cashier-id = 收银员编号
pin = PIN
your-new-pin = 新 PIN
your-new-pin-again = 再次输入新 PIN
sign-in = 登录

## 收银

scan-side =
    .aria-label = 扫描
preview =
    .alt = 摄像头画面
voucher-code-type-paste-or = 代金券码（输入、粘贴或扫描）
code-input =
    .placeholder = rsg:v_…
receipt-number = 收据号码
eligible-items-skus-separated-by = 符合条件商品的 SKU（用逗号分隔）
record-the-voucher-with-these = 用这些信息记录代金券
scanned-code = 已扫描的码
scan-a-voucher-code = 请扫描代金券码
accept-the-voucher-for-this = 本笔交易接受此代金券
customer-pays-another-way = 顾客改用其他方式付款
sale-side =
    .aria-label = 本笔交易
sale-total-incl-tax = 交易总额（含税）
sale-total-input =
    .placeholder = S$0.00
vouchers-on-this-sale = 本笔交易的代金券
sale-total = 交易总额
voucher-value = 代金券金额
forfeited = 作废金额
balance-due = 应付余额
redeem-enter = 兑换（Enter）
next-customer = 下一位顾客
print-receipt = 打印收据
scanner-no-camera = 未找到摄像头。请输入代金券码或使用手持扫描器。
scanner-not-built = 本程序构建时未包含摄像头支持。请输入代金券码或使用手持扫描器。
scanner-camera-lost = 摄像头已断开，正在等待它恢复。
before-the-next-customer = 接待下一位顾客之前
back-to-the-sale = 返回本笔交易
sending = 发送中…
code-summary = { $prefix }：{ $count } 张代金券（{ $first }）
code-summary-bare = { $prefix }：{ $count } 张代金券
already-redeemed-here = 已在本终端兑换（交易 { $transaction }）。
already-scanned = 此码已为本笔交易扫描过，现显示该记录。
waiting-for-receipt-details = 等待输入收据号码和 SKU。
refused-by-service = 代金券服务拒绝了此代金券。
redeemed-transaction = 交易 { $transaction }
redeemed-campaign-transaction = { $campaign } · 交易 { $transaction }
manager-must-settle = 须由经理处理此代金券。
answer-accepted = 本笔交易已接受；终端会向服务确认。
answer-declined = 未使用：顾客改用其他方式付款。如果服务最终兑换了它，经理会看到。
answer-may-accept = 按门店规定，本笔交易可以使用此代金券，顾客也可以改用其他方式付款。
answer-take-other = 请收取其他付款：{ $reason }
offline-not-accepted = 本店在服务确认之前不接受代金券。
offline-too-many-vouchers = 超过 { $max } 张代金券的码必须在线确认。
offline-too-many-pending = 已有 { $pending } 张代金券在等待确认（上限为 { $max }）。
offline-too-old = 最早的未确认代金券已等待 { $minutes } 分钟（上限为 { $max }）。
sale-heading = 交易 { $number } · 开始于 { $opened }
not-known-until-confirmed = 服务确认前未知
not-sent-yet = 有 { $count } 张已扫描的代金券尚未发送：请按兑换。
sale-line = { $code } — { $status }
sale-line-value = { $code } — { $status } — { $value }
remove = 移除
remove-from-sale =
    .aria-label = 从本笔交易中移除 { $code }
resolve-why = { $count ->
        [1] 此代金券已发送，服务尚未回复。顾客是否用它付款？
       *[other] 这 { $count } 张代金券已发送，服务尚未回复。顾客是否用它们付款？
    }
resolve-line = { $line }。{ $answer }
answered-scan-waits = 已回答。期间扫描的代金券尚未发送：请按兑换，或按下一位顾客撤回它。

## 代金券状态

status-scanned = 已扫描 — 请按兑换
status-in-flight = 发送中…
status-declined = 未使用 — 顾客改用其他方式付款
status-key-rejected = 排队中 — 等待有效的 API 密钥
status-queued-offline = 排队中 — 离线，尚未确认
status-queued-sending = 排队中 — 正在发送
status-redeemed = 已兑换
status-refused = 被拒绝
status-needs-review = 待复核 — 须由经理处理
status-cancelled = 已取消

## 打印

print-done = { $what } 已打印。
print-done-copy = { $what } 已打印（副本）。
print-failed-receipt = 收据未能打印：{ $error } 打印机修好后请重新打印。
print-failed = { $what } 未能打印：{ $error }
printout-sale = 交易 { $number }
printout-report = { $date } 日结报表
printout-test = 测试页
printed-on = { $what } 已在 { $printer } 打印。

## 经理 PIN

the-same-pin-again = 再次输入同一 PIN
unlock = 解锁
choose-manager-pin = 设置经理 PIN（4 至 12 位数字）
set-pin = 设置 PIN
locked-after-idle = 闲置一段时间后已锁定：请重新输入 PIN。

## 复核收件箱

review-inbox-settle-these-first = 复核收件箱：请先处理这些
nothing-to-review = 没有待复核的项目。
review-loss = 损失
review-head = { $code } · { $value } · 收银员 { $cashier } · 扫描于 { $scanned } · 自 { $since } 起待复核
never-sent = 从未发送。
review-note =
    .placeholder = 备注（必填）
    .aria-label = { $code } 的备注（必填）
review-transaction =
    .placeholder = 交易编号（如已兑换）
    .aria-label = { $code } 的交易编号（如已兑换）
settle-redeemed = 处理为：已兑换
settle-refused = 处理为：被拒绝
settle-not-redeemed = 处理为：从未兑换
review-value-unknown = 未知：服务从未确认
cause-key-reused = 服务表示此代金券的密钥已用于另一个请求，终端无法判断这次兑换是否发生。
cause-lookup-failed = 无法读取服务的交易列表，目前无人知道代金券是否已兑换。
cause-accepted-then-refused = 损失：在无法连接服务时本笔交易使用了此代金券，之后服务拒绝了它。
cause-redeemed-after-decline = 顾客改用其他方式付款，但服务最终兑换了代金券：应退还顾客其金额。
cause-declined-not-found = 顾客改用其他方式付款，服务也没有此代金券的兑换记录。
cause-service-changed = 它最初发往另一个服务地址或使用另一个 API 密钥，因此不会再发往当前服务。
cause-found-at-service = 日结报表发现服务已兑换它，但本终端未记为已兑换。
cause-none = 没有记录原因。
evidence-lookup = { $at } 在服务的交易中查询：{ $outcome }（{ $status }）
evidence-interrupted = { $at } 已发送；终端在收到回复前停止：{ $outcome }（{ $status }）
evidence-not-sent = { $at } 尝试发送：{ $outcome }（{ $status }）
evidence-sent = { $at } 已发送：{ $outcome }（{ $status }）
outcome-redeemed = 已兑换
outcome-refused = 被拒绝
outcome-in-progress = 服务仍在处理
outcome-key-reused = 密钥已用于另一个请求
outcome-rate-limited = 请求过多
outcome-unauthorized = API 密钥被拒绝
outcome-not-sent = 未发送
outcome-server-error = 服务出错
outcome-interrupted = 在回复前停止
outcome-found = 已找到
outcome-not-found = 未找到
outcome-lookup-unreachable = 无法连接服务
outcome-lookup-timeout = 未及时回复
outcome-lookup-status = 服务回复了错误
outcome-lookup-bad-reply = 终端无法读取的回复
outcome-unknown = 结果未知
evidence-no-answer = 无回复
evidence-http = HTTP { $status }
evidence-service-said = 服务回复：

## 兑换记录

redemption-log = 兑换记录
from = 从
to = 到
state = 状态
state-any = 全部
state-scanned = 已扫描
state-queued = 排队中
state-in-flight = 发送中
state-unknown = 结果未知
state-redeemed = 已兑换
state-refused = 被拒绝
state-needs-review = 待复核
state-cancelled = 已取消
cashier = 收银员
search = 搜索
log-search =
    .placeholder = 代金券码或交易编号
show = 显示
export-csv = 导出 CSV…
lock = 锁定
close-terminal-open = 关闭终端…
time = 时间
code = 代金券码
value = 金额
transaction = 交易
older-page = 更早 →
intent = 兑换意向
attempts = 尝试记录
history = 历史
detail-summary = { $code } — { $status }
detail-summary-said = { $code } — { $status }：{ $message }
attempt-line = { $at } { $kind } → { $outcome } { $status }，{ $ms } 毫秒
attempt-line-detail = { $at } { $kind } → { $outcome } { $status }，{ $ms } 毫秒：{ $detail }
attempt-replayed = （重放）
history-line = { $at } { $from } → { $to }，操作人 { $actor }
history-line-note = { $at } { $from } → { $to }，操作人 { $actor }：{ $note }
exported-rows = 已导出 { $rows } 行到 { $path }。
export-cancelled = 已取消导出。

## 设置

settings = 设置
service = 服务
service-url-empty-the-demo = 服务网址（留空：演示沙盒；下次启动生效）
api-key-write-only-next = API 密钥（只写；下次启动生效；更换服务网址时须重新输入）
test-connection = 测试连接
testing-connection = 正在测试连接…
connection-sandbox = 没有服务网址：按此保存后，本收银机启动时使用演示沙盒（除非以 --service 启动）。
connection-unreachable = { $url } 没有回应。请检查网址和门店网络。
connection-no-key = { $url } 有回应，但没有输入或保存它的 API 密钥：请输入密钥后再测试。
connection-key-refused = 服务有回应，但拒绝了 API 密钥（{ $status }）：{ $message }
connection-accepted = { $url } 有回应并接受 API 密钥：可以在那里兑换代金券。
connection-list-failed = 服务有回应，但其交易列表出错，无法检查密钥：{ $message }
api-key-set = 已设置（保存在 { $where }）
api-key-not-set = 未设置（{ $where }）
terminal-id = 终端编号
branch = 分店
camera = 摄像头
no-camera-found = 未找到摄像头
single-user-cashier-id = 单用户收银员编号
currency-symbol = 货币符号
time-zone-empty-this-computer = 时区（留空：本机时区）
settings-zone =
    .placeholder = Asia/Singapore
terminal-language = 窗口和收据的语言
lock-manager-screens-after-min = 经理页面闲置后锁定（分钟）
sign-cashiers-out-after-min = 收银员闲置后退出（分钟）
till-mode-full-screen-closing = 收银模式：全屏，关闭须输入经理 PIN（下次启动生效）
sounds-setting = 代金券兑换成功或被拒绝时播放提示音
start-the-terminal-when-this = 本用户登录时启动终端
log-level-unless-rust-log = 日志级别（未设置 RUST_LOG 时）
log-error = 错误
log-warn = 警告
log-info = 信息
log-debug = 调试
log-trace = 跟踪
receipt-printer = 收据打印机
printer-none-network-host-port = 打印机（none、network:HOST:PORT 或 file:/dev/usb/lp0）
settings-printer =
    .placeholder = network:192.168.1.50:9100
paper = 纸张
paper-80 = 80 毫米
paper-58 = 58 毫米
print-the-receipt-when-a = 交易结束时打印收据
store-name = 店名
uen = UEN
address = 地址
test-print = 打印测试页
offline-policy = 离线规定
accept-vouchers-offline = 离线时接受代金券
max-pending = 最多待确认数
max-pending-age-min = 最长待确认时间（分钟）
max-vouchers-per-code = 每个码最多代金券数
records = 记录
keep-final-intents-days-at = 保留已完成的兑换意向（天，至少 90）
backups-kept = 保留备份数
back-up-now = 立即备份
save-diagnostics-for-support = 保存诊断信息供技术支持…
archive-older-final-intents = 归档较早的已完成兑换意向…
save-settings = 保存设置
confirm-empty-service = 没有服务网址时，本收银机下次启动后将使用演示沙盒，不会在 { $url } 兑换任何代金券。如确定，请再按一次保存设置。
settings-saved = 已保存。终端编号和分店立即生效；服务、摄像头和 API 密钥在下次启动时生效。
diagnostics-saved = 诊断信息已保存到 { $path }（不含 API 密钥、PIN 或代金券码）。
cancelled = 已取消。
archived = 已将 { $count } 个已完成兑换意向归档到 { $file }，并从终端中删除。
nothing-to-archive = 无需归档：没有超过保留期的已完成兑换意向。
backed-up = 已备份到 { $path }。

## 日结

end-of-day = 日结
day = 日期
reconcile-with-the-service = 与服务对账
print-z-report = 打印 Z 报表
z-report = Z 报表
findings = 发现的问题
totals = 合计
by = 按
id = 编号
redemptions = 兑换次数
at-the-service-from-other = 在服务端：来自其他终端或本终端遗失
here-not-at-the-service = 在本终端，不在服务端（待发送、待复核或问题项）
eod-title = 分店 { $branch }，终端 { $terminal }，{ $date }（{ $zone }）
eod-total = 服务将为分店 { $branch } 的 { $count } 次兑换偿付 { $value }。
eod-no-findings = 无：服务与本终端一致。
eod-service-row = { $at } 终端 { $terminal }，收银员 { $cashier }：{ $value }（{ $transaction }）
eod-service-row-lost = { $at } 终端 { $terminal }，收银员 { $cashier }：{ $value }（{ $transaction }）— 本终端已遗失此记录
eod-local-row = { $at } { $state }{ $value }，已 { $minutes } 分钟
eod-local-row-finding = { $at } { $state }{ $value }，已 { $minutes } 分钟 — 服务端没有
eod-sales = 当天本终端结束了 { $count } 笔交易。
eod-sale-open = 交易 { $number } 仍未结束。
eod-matched = 本终端有 { $count } 次兑换与服务记录一致。
eod-opened-reviews = { $count } 项已送入复核收件箱。
own-tally-title = 本终端自己的当日记录
own-tally-why = 分店日结需要代金券服务的列表，它才是正式记录：其他终端的兑换，以及本终端遗失的兑换，都只在那里。服务恢复后请重新对账。在此之前，以下是本终端保存的内容。
own-tally-redeemed = { $date } 本终端兑换了 { $count } 张代金券：{ $value }。
own-tally-cashier = 收银员 { $cashier }：{ $count } 张，共 { $value }
own-tally-rest = 尚未结清：{ $waiting } 张等待服务，{ $review } 张待复核。本终端结束的交易：{ $sales }。
by-terminal = 终端
by-cashier = 收银员
by-campaign = 活动
by-bank-statement = 银行对账单
saved-to = 已保存到 { $path }。

## The core's errors, as the cashier and the manager read them

error-code-empty = 没有扫描到任何内容。
error-code-not-text = 这是二进制数据，不是代金券码。
error-code-web-address = 这是网址，不是代金券码。
error-code-control = 此码含有隐藏的控制字符，不是代金券码。
error-code-too-long = 此码太长，不可能是代金券码（{ $len } 个字符；最多 { $max } 个）。
error-code-not-voucher = 不是代金券码：代金券码以 "rsg:" 开头。
error-code-bad-prefix = 活动前缀 "{ $prefix }" 格式不正确。
error-code-no-vouchers = 此码没有代金券编号。
error-code-too-many = 一个码中的代金券太多（{ $count } 张；最多 { $max } 张）。
error-code-bad-voucher = 此码中的第 { $position } 张代金券格式不正确。
error-money-malformed = { $typed } 不是金额：请按 1,250.00 的格式输入
error-money-negative = 金额不能为负数。
error-money-too-large = 对一笔交易来说，这个金额太大。
error-pin-shape = 此 PIN 必须为 { $least } 至 12 位数字。
error-pin-common = { $pin } 是最常被选用的 PIN 之一，会最先被猜到：请另选一个。
error-pin-run = 递增或递减的 PIN（如 123456）会最先被猜到：请另选一个。
error-pin-repeat = 重复的 PIN（如 111111 或 121212）会最先被猜到：请另选一个。
error-pin-year = 年份会最先被猜到：请选择不是年份的 PIN。
error-pin-unchanged = 新 PIN 必须与经理设置的不同。
error-pin-mismatch = 两次输入的 PIN 不一致；请把新 PIN 输入两次。
error-pin-wrong = PIN 不正确。
error-pin-wrong-wait = PIN 不正确。请等待 { $wait } 后再试。
error-pin-wait = 错误的 PIN 太多。请在 { $wait } 后再试。
error-pin-not-set = 本终端还没有经理 PIN：请设置一个并输入两次。
error-pin-already-set = 本终端已经有经理 PIN。
error-signed-out = 请先登录：输入您的收银员编号和 PIN。
error-manager-locked = 经理页面已锁定：请输入经理 PIN。
wait-one-second = 1 秒
wait-seconds = { $n } 秒
wait-minutes = { $n } 分钟

## 收银员与经理 PIN

cashiers = 收银员
with-no-cashiers-listed-the = 没有收银员名单时，终端为单用户模式。一旦添加了收银员，每位收银员都须用自己的 PIN 登录。您在此输入的 PIN 只能登录一次：之后收银员自行设置自己的 PIN。
name = 姓名
pin-again = 再次输入 PIN
add-cashier = 添加收银员
one-time-pin = 一次性 PIN
again = 再次输入
reset-pin = 重置 PIN
no-cashiers = 没有收银员：单用户模式。
new-one-time-pin-for = 为 { $name }（{ $id }）设置新的一次性 PIN：
cashier-added = 已添加 { $name }（{ $id }）。收银页面现在要求登录。
cashier-pin-reset = { $id } 的 PIN 已重置：新 PIN 只能登录一次。
this-pin-was-chosen-before = 此 PIN 是在终端的 PIN 规则（至少 6 位数字，且不是常见组合）实施之前设置的。请在下方设置新的 PIN。
current = 当前
new = 新
new-again = 再次输入新 PIN
change-pin = 更改 PIN
manager-pin-changed = 经理 PIN 已更改。
pin-forgotten = 忘记了？请能操作终端电脑的人运行以下命令：
terminal-history = 终端历史
older = 更早

## 收据（中文终端的收据以英文打印，见 src/messages.rs）

receipt-title = 收据
receipt-uen = UEN { $uen }
receipt-copy = 副本 - 非原件
receipt-sale = 交易 { $number }
receipt-terminal = 终端 { $terminal }
receipt-cashier = 收银员 { $cashier }
receipt-sale-total = 交易总额（含税）
receipt-vouchers = { $count } 张代金券
receipt-vouchers-to-confirm = { $count } 张代金券（待确认）
receipt-transaction = 交易
receipt-accepted-offline = 离线接受；服务稍后确认。
receipt-vouchers-total = 已用代金券
receipt-and-to-confirm = 另有 { $count } 张待确认
receipt-forfeited = 作废金额
receipt-balance-due = 应付余额
receipt-number-line = 收据号码 { $number }
receipt-skus = SKU { $skus }
receipt-vouchers-used = 本笔交易使用了代金券。
receipt-not-refunded = 代金券金额不予退还：取消交易时只退还以其他方式支付的金额。
z-title = 日结（Z）报表
z-day = 日期
z-branch = 分店
z-terminal = 终端
z-printed = 打印时间
z-at-service = 服务端（分店当天）
z-redemptions = { $count } 次兑换
z-by-campaign = 按活动
z-by-terminal = 按终端
z-by-cashier = 按收银员
z-sales-closed = 本终端结束的交易
z-sale-open = 交易 { $number } 在收银台仍未结束。
z-matched = 与本终端相符
z-service-only = 仅在服务端
z-local-only = 仅在本终端
z-no-findings = 没有问题：当天记录一致。
z-findings = 须经理处理的问题（{ $count }）：
test-title = 测试页
test-printer = 打印机
test-paper = 纸张
test-paper-size = { $mm } 毫米，{ $columns } 个字符
test-check = 如果这一行居中，且分隔线到达两边，收据就能正常打印。
