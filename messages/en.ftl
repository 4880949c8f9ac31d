# The voucher POS terminal's words, in English: the source every translation
# follows. The page (ui/src/i18n.ts) and the core (src/messages.rs) read this file.
# Variables are data (codes, ids, names, amounts already formatted) and are shown
# as they are; `count` chooses a plural form.
# Translators: keep every message id and every { $variable }; see README, "Languages".

## The bar and the banner

app-name = Voucher POS
sandbox-badge = SANDBOX
simulate-network-loss = Simulate network loss
restore-network = Restore network
terminal = Terminal
pending-label = Pending:
queue-oldest = (oldest { $minutes } min)
review-label = Review:
review-link =
    .aria-label = Open the review inbox
cashier-label = Cashier:
signed-out = signed out
cashier-with-id = { $name } ({ $id })
sign-out = Sign out
checkout = Checkout
manager = Manager
link-online = ● Online
link-offline = ○ Offline
link-degraded = ◐ Online (service struggling)
condition-store-failure = The terminal cannot save ({ $message }): it cannot take vouchers now. Take another payment and call the engineer on call.
condition-key-rejected = The voucher service refused this terminal's API key ({ $message }). Vouchers wait in the queue. Call the manager: the right key goes in Manager → Settings.
condition-offline = Offline: the voucher service cannot be reached. Scanned vouchers are kept and sent when the link returns; follow the store's policy for this sale.
condition-degraded = The voucher service is failing for now. Vouchers are kept and retried; nothing is lost.

## Closing the terminal, and a terminal that cannot start

close-title = Close the terminal?
vouchers-waiting-to-be-sent = Vouchers waiting to be sent stay queued and go out at the next start.
manager-pin = Manager PIN
close-submit = Close the terminal
keep-it-open = Keep it open
the-terminal-cannot-take-vouchers = The terminal cannot take vouchers
what-to-do = What to do:
problem-code-label = Code:

## Sign-in

cashier-sign-in = Cashier sign-in
language-label = Language
cashier-id = Cashier id
pin = PIN
your-new-pin = Your new PIN
your-new-pin-again = Your new PIN again
sign-in = Sign in

## The checkout

scan-side =
    .aria-label = Scan
preview =
    .alt = Camera preview
voucher-code-type-paste-or = Voucher code (type, paste or scan)
code-input =
    .placeholder = rsg:v_…
receipt-number = Receipt number
eligible-items-skus-separated-by = Eligible items' SKUs (separated by commas)
record-the-voucher-with-these = Record the voucher with these details
scanned-code = Scanned code
scan-a-voucher-code = Scan a voucher code
accept-the-voucher-for-this = Accept the voucher for this sale
customer-pays-another-way = Customer pays another way
sale-side =
    .aria-label = This sale
sale-total-incl-tax = Sale total (incl. tax)
sale-total-input =
    .placeholder = S$0.00
vouchers-on-this-sale = Vouchers on this sale
sale-total = Sale total
voucher-value = Voucher value
forfeited = Forfeited
balance-due = Balance due
redeem-enter = Redeem (Enter)
next-customer = Next customer
print-receipt = Print receipt
scanner-no-camera = No camera was found. Type the code or use a handheld scanner.
scanner-not-built = This program was built without camera support. Type the code or use a handheld scanner.
scanner-camera-lost = The camera was lost; waiting for it to come back.
before-the-next-customer = Before the next customer
back-to-the-sale = Back to the sale
sending = Sending…
code-summary = { $prefix }: { $count ->
        [one] 1 voucher
       *[other] { $count } vouchers
    } ({ $first })
code-summary-bare = { $prefix }: { $count ->
        [one] 1 voucher
       *[other] { $count } vouchers
    }
already-redeemed-here = Already redeemed here (transaction { $transaction }).
already-scanned = This code was already scanned for this sale; showing it.
waiting-for-receipt-details = Waiting for the receipt number and SKUs.
refused-by-service = Refused by the voucher service.
redeemed-transaction = Transaction { $transaction }
redeemed-campaign-transaction = { $campaign } · Transaction { $transaction }
manager-must-settle = A manager must settle this voucher.
answer-accepted = Accepted for this sale; the terminal will confirm it with the service.
answer-declined = Declined: the customer pays another way. If the service turns out to have redeemed it, a manager will see it.
answer-may-accept = Store policy lets this sale go ahead on the voucher, or the customer can pay another way.
answer-take-other = Take another payment: { $reason }
offline-not-accepted = This store does not accept vouchers before the service confirms them.
offline-too-many-vouchers = Codes with more than { $max } vouchers must be confirmed online.
offline-too-many-pending = { $pending } vouchers are already waiting for confirmation (the limit is { $max }).
offline-too-old = The oldest unconfirmed voucher has waited { $minutes } minutes (the limit is { $max }).
sale-heading = Sale { $number } · opened { $opened }
not-known-until-confirmed = not known until the service confirms
not-sent-yet = { $count ->
        [one] 1 scanned voucher not sent yet: press Redeem.
       *[other] { $count } scanned vouchers not sent yet: press Redeem.
    }
sale-line = { $code } — { $status }
sale-line-value = { $code } — { $status } — { $value }
remove = Remove
remove-from-sale =
    .aria-label = Remove { $code } from the sale
resolve-why = { $count ->
        [one] This voucher was sent and the service has not answered yet. Did the customer pay with it?
       *[other] These vouchers were sent and the service has not answered yet. Did the customer pay with them?
    }
resolve-line = { $line }. { $answer }
answered-scan-waits = Answered. A voucher scanned meanwhile is not sent yet: press Redeem, or Next customer to withdraw it.

## What a voucher's state is, in words

status-scanned = Scanned — press Redeem
status-in-flight = Sending…
status-declined = Declined — customer paid another way
status-key-rejected = Queued — waiting for a valid API key
status-queued-offline = Queued — offline, not yet confirmed
status-queued-sending = Queued — sending
status-redeemed = Redeemed
status-refused = Refused
status-needs-review = Review — a manager must settle this
status-cancelled = Cancelled

## Printing

print-done = { $what } printed.
print-done-copy = { $what } printed (copy).
print-failed-receipt = The receipt did not print: { $error } Print it again once the printer is fixed.
print-failed = { $what } did not print: { $error }
printout-sale = Sale { $number }
printout-report = The end of day { $date }
printout-test = The test print
printed-on = { $what } printed on { $printer }.

## The manager's PIN

the-same-pin-again = The same PIN again
unlock = Unlock
choose-manager-pin = Choose a manager PIN (4 to 12 digits)
set-pin = Set PIN
locked-after-idle = Locked after a while without use: enter the PIN again.

## Review inbox

review-inbox-settle-these-first = Review inbox: settle these first
nothing-to-review = Nothing waits for review.
review-loss = LOSS
review-head = { $code } · { $value } · cashier { $cashier } · scanned { $scanned } · in review since { $since }
never-sent = Never sent.
review-note =
    .placeholder = Note (required)
    .aria-label = Note for { $code } (required)
review-transaction =
    .placeholder = Transaction id (if redeemed)
    .aria-label = Transaction id for { $code }, if redeemed
settle-redeemed = Settle: redeemed
settle-refused = Settle: refused
settle-not-redeemed = Settle: never redeemed
review-value-unknown = not known: the service never confirmed it
cause-key-reused = The service says this voucher's key was already used for a different request, so the terminal cannot tell whether this redemption happened.
cause-lookup-failed = The service's list of transactions could not be read, so nobody knows yet whether the voucher was redeemed.
cause-accepted-then-refused = A loss: the sale went ahead on the voucher while the service could not be reached, and the service then refused it.
cause-redeemed-after-decline = The customer paid another way, but the service redeemed the voucher after all: the customer is owed its value.
cause-declined-not-found = The customer paid another way, and the service has no record of the voucher being redeemed.
cause-service-changed = It was first sent to another service address or with another API key, so it is not sent again to this one.
cause-found-at-service = The end-of-day report found it redeemed at the service, but this terminal did not hold it as redeemed.
cause-none = No reason was recorded.
evidence-lookup = Looked it up in the service's transactions at { $at }: { $outcome } ({ $status })
evidence-interrupted = Sent it; the terminal stopped before the answer, at { $at }: { $outcome } ({ $status })
evidence-not-sent = Tried to send it at { $at }: { $outcome } ({ $status })
evidence-sent = Sent it at { $at }: { $outcome } ({ $status })
outcome-redeemed = redeemed
outcome-refused = refused
outcome-in-progress = still being processed at the service
outcome-key-reused = key used for another request
outcome-rate-limited = too many requests
outcome-unauthorized = API key refused
outcome-not-sent = not sent
outcome-server-error = the service failed
outcome-interrupted = stopped before the answer
outcome-found = found
outcome-not-found = not found
outcome-lookup-unreachable = the service could not be reached
outcome-lookup-timeout = no answer in time
outcome-lookup-status = the service answered with an error
outcome-lookup-bad-reply = an answer the terminal could not read
outcome-unknown = outcome unknown
evidence-no-answer = no answer
evidence-http = HTTP { $status }
evidence-service-said = The service said:

## Redemption log

redemption-log = Redemption log
from = From
to = To
state = State
state-any = any
state-scanned = scanned
state-queued = queued
state-in-flight = sending
state-unknown = outcome unknown
state-redeemed = redeemed
state-refused = refused
state-needs-review = in review
state-cancelled = cancelled
cashier = Cashier
search = Search
log-search =
    .placeholder = code or transaction
show = Show
export-csv = Export CSV…
lock = Lock
close-terminal-open = Close the terminal…
time = Time
code = Code
value = Value
transaction = Transaction
older-page = Older →
intent = Intent
attempts = Attempts
history = History
detail-summary = { $code } — { $status }
detail-summary-said = { $code } — { $status }: { $message }
attempt-line = { $at } { $kind } → { $outcome } { $status }, { $ms } ms
attempt-line-detail = { $at } { $kind } → { $outcome } { $status }, { $ms } ms: { $detail }
attempt-replayed = (replayed)
history-line = { $at } { $from } → { $to } by { $actor }
history-line-note = { $at } { $from } → { $to } by { $actor }: { $note }
exported-rows = Exported { $rows } rows to { $path }.
export-cancelled = Export cancelled.

## Settings

settings = Settings
service = Service
service-url-empty-the-demo = Service URL (empty: the demo sandbox; next start)
api-key-write-only-next = API key (write only; next start; needed again for a new service URL)
test-connection = Test connection
testing-connection = Testing the connection…
connection-sandbox = No service URL: saved like this, the till starts on the demo sandbox (unless it is started with --service).
connection-unreachable = Nothing answered at { $url }. Check the address and the store's network.
connection-no-key = { $url } answers, but no API key is typed or stored for it: type the key, then test again.
connection-key-refused = The service answers but refused the API key ({ $status }): { $message }
connection-accepted = { $url } answers and accepts the API key: vouchers can be redeemed there.
connection-list-failed = The service answers, but its list of transactions failed, so the key could not be checked: { $message }
api-key-set = set (in { $where })
api-key-not-set = not set ({ $where })
terminal-id = Terminal id
branch = Branch
camera = Camera
no-camera-found = no camera found
single-user-cashier-id = Single-user cashier id
currency-symbol = Currency symbol
time-zone-empty-this-computer = Time zone (empty: this computer's)
settings-zone =
    .placeholder = Asia/Singapore
terminal-language = Language of the window and the receipts
lock-manager-screens-after-min = Lock manager screens after (min)
sign-cashiers-out-after-min = Sign cashiers out after (min)
till-mode-full-screen-closing = Till mode: full screen, closing needs the manager PIN (next start)
sounds-setting = Play a short tone when a voucher is redeemed or refused
start-the-terminal-when-this = Start the terminal when this user logs in
log-level-unless-rust-log = Log level (unless RUST_LOG is set)
log-error = error
log-warn = warn
log-info = info
log-debug = debug
log-trace = trace
receipt-printer = Receipt printer
printer-none-network-host-port = Printer (none, network:HOST:PORT or file:/dev/usb/lp0)
settings-printer =
    .placeholder = network:192.168.1.50:9100
paper = Paper
paper-80 = 80 mm
paper-58 = 58 mm
print-the-receipt-when-a = Print the receipt when a sale closes
store-name = Store name
uen = UEN
address = Address
test-print = Test print
offline-policy = Offline policy
accept-vouchers-offline = Accept vouchers offline
max-pending = Max pending
max-pending-age-min = Max pending age (min)
max-vouchers-per-code = Max vouchers per code
records = Records
keep-final-intents-days-at = Keep final intents (days, at least 90)
backups-kept = Backups kept
back-up-now = Back up now
save-diagnostics-for-support = Save diagnostics for support…
archive-older-final-intents = Archive older final intents…
save-settings = Save settings
confirm-empty-service = With no service URL this till runs on the demo sandbox from the next start, and redeems nothing at { $url }. Press Save settings again to do that.
settings-saved = Saved. Terminal id and branch apply now; service, camera and API key at the next start.
diagnostics-saved = Diagnostics saved to { $path } (no API key, PIN or voucher code in it).
cancelled = Cancelled.
archived = Archived { $count } final intents to { $file } and removed them from the terminal.
nothing-to-archive = Nothing to archive: no final intent is older than the retention.
backed-up = Backed up to { $path }.

## End of day

end-of-day = End of day
day = Day
reconcile-with-the-service = Reconcile with the service
print-z-report = Print Z-report
z-report = Z-report
findings = Findings
totals = Totals
by = By
id = Id
redemptions = Redemptions
at-the-service-from-other = At the service, from other terminals or lost here
here-not-at-the-service = Here, not at the service (pending, in review, or findings)
eod-title = branch { $branch }, terminal { $terminal }, { $date } ({ $zone })
eod-total = { $count ->
        [one] The service will reimburse { $value } for 1 redemption at branch { $branch }.
       *[other] The service will reimburse { $value } for { $count } redemptions at branch { $branch }.
    }
eod-no-findings = None: the service and this terminal agree.
eod-service-row = { $at } terminal { $terminal }, cashier { $cashier }: { $value } ({ $transaction })
eod-service-row-lost = { $at } terminal { $terminal }, cashier { $cashier }: { $value } ({ $transaction }) — this terminal lost it
eod-local-row = { $at } { $state }{ $value }, { $minutes } min old
eod-local-row-finding = { $at } { $state }{ $value }, { $minutes } min old — not at the service
eod-sales = { $count ->
        [one] 1 sale closed on this terminal that day.
       *[other] { $count } sales closed on this terminal that day.
    }
eod-sale-open = Sale { $number } is still open.
eod-matched = { $count ->
        [one] 1 redemption of this terminal matches the service's records.
       *[other] { $count } redemptions of this terminal match the service's records.
    }
eod-opened-reviews = { $count } sent to the review inbox.
own-tally-title = This terminal's own record of the day
own-tally-why = The branch's end of day needs the voucher service's list, which is the record: other terminals' redemptions, and any this terminal lost track of, are only there. Reconcile again once the service answers. Until then, this is what this terminal holds.
own-tally-redeemed = { $count ->
        [one] 1 voucher redeemed here on { $date }: { $value }.
       *[other] { $count } vouchers redeemed here on { $date }: { $value }.
    }
own-tally-cashier = Cashier { $cashier }: { $count } for { $value }
own-tally-rest = Not yet settled: { $waiting } waiting for the service, { $review } in review. Sales closed here: { $sales }.
by-terminal = Terminal
by-cashier = Cashier
by-campaign = Campaign
by-bank-statement = Bank statement
saved-to = Saved to { $path }.

## Cashiers and the manager's PIN

cashiers = Cashiers
with-no-cashiers-listed-the = With no cashiers listed, the terminal runs single-user. Once one is listed, every cashier signs in with their own PIN. The PIN you type here is good for one sign-in: the cashier then chooses their own.
name = Name
pin-again = PIN again
add-cashier = Add cashier
one-time-pin = One-time PIN
again = Again
reset-pin = Reset PIN
no-cashiers = No cashiers: single-user.
new-one-time-pin-for = New one-time PIN for { $name } ({ $id }):
cashier-added = Added { $name } ({ $id }). The checkout now asks for a sign-in.
cashier-pin-reset = { $id }'s PIN is reset: the new one is good for one sign-in.
this-pin-was-chosen-before = This PIN was chosen before the terminal's rules for PINs (6 digits or more, not one people choose first). Choose a new one below.
current = Current
new = New
new-again = New again
change-pin = Change PIN
manager-pin-changed = The manager PIN is changed.
pin-forgotten = Forgotten? Someone with access to the terminal's computer runs this command:
terminal-history = Terminal history
older = Older

## The core's errors, as the cashier and the manager read them

error-code-empty = Nothing was scanned.
error-code-not-text = This is binary data, not a voucher code.
error-code-web-address = This is a website address, not a voucher code.
error-code-control = This code contains hidden control characters; it is not a voucher code.
error-code-too-long = This code is too long to be a voucher code ({ $len } characters; at most { $max }).
error-code-not-voucher = Not a voucher code: voucher codes start with "rsg:".
error-code-bad-prefix = The campaign prefix "{ $prefix }" is malformed.
error-code-no-vouchers = This code has no voucher ids.
error-code-too-many = Too many vouchers in one code ({ $count }; at most { $max }).
error-code-bad-voucher = Voucher { $position } in this code is malformed.
error-money-malformed = { $typed } is not an amount: type it like 1,250.00
error-money-negative = An amount cannot be negative.
error-money-too-large = That amount is too large for one sale.
error-pin-shape = This PIN must have { $least } to 12 digits.
error-pin-common = { $pin } is one of the PINs people choose most often, so it is guessed first: choose another.
error-pin-run = A PIN that counts up or down (like 123456) is guessed first: choose another.
error-pin-repeat = A PIN that repeats (like 111111 or 121212) is guessed first: choose another.
error-pin-year = A year is guessed first: choose a PIN that is not one.
error-pin-unchanged = The new PIN must differ from the one the manager set.
error-pin-mismatch = The two PINs are not the same; type the new PIN twice.
error-pin-wrong = That PIN is not right.
error-pin-wrong-wait = That PIN is not right. Wait { $wait } before the next try.
error-pin-wait = Too many wrong PINs. Try again in { $wait }.
error-pin-not-set = This terminal has no manager PIN yet: choose one and type it twice.
error-pin-already-set = This terminal already has a manager PIN.
error-signed-out = Sign in first: type your cashier id and PIN.
error-manager-locked = The manager screens are locked: enter the manager PIN.
wait-one-second = 1 second
wait-seconds = { $n } seconds
wait-minutes = { $n } minutes

## Receipts (printed: Latin letters only, see src/messages.rs)

receipt-title = Receipt
receipt-uen = UEN { $uen }
receipt-copy = COPY - NOT THE ORIGINAL
receipt-sale = Sale { $number }
receipt-terminal = Terminal { $terminal }
receipt-cashier = Cashier { $cashier }
receipt-sale-total = Sale total (incl. tax)
receipt-vouchers = { $count ->
        [one] Voucher
       *[other] { $count } vouchers
    }
receipt-vouchers-to-confirm = { $count ->
        [one] Voucher (to be confirmed)
       *[other] { $count } vouchers (to be confirmed)
    }
receipt-transaction = Transaction
receipt-accepted-offline = Accepted offline; the service confirms it later.
receipt-vouchers-total = Vouchers used
receipt-and-to-confirm = and { $count } to be confirmed
receipt-forfeited = Forfeited
receipt-balance-due = Balance due
receipt-number-line = Receipt number { $number }
receipt-skus = SKUs { $skus }
receipt-vouchers-used = Vouchers were used in this sale.
receipt-not-refunded = Voucher amounts are not refunded: a cancelled sale refunds only what was paid by other means.
z-title = END OF DAY (Z) REPORT
z-day = Day
z-branch = Branch
z-terminal = Terminal
z-printed = Printed
z-at-service = At the service (the branch's day)
z-redemptions = { $count ->
        [one] 1 redemption
       *[other] { $count } redemptions
    }
z-by-campaign = By campaign
z-by-terminal = By terminal
z-by-cashier = By cashier
z-sales-closed = Sales closed here
z-sale-open = Sale { $number } is still open at the till.
z-matched = Matched to this terminal
z-service-only = Only at the service
z-local-only = Only on this terminal
z-no-findings = No findings: the day matches.
z-findings = Findings for the manager ({ $count }):
test-title = TEST PRINT
test-printer = Printer
test-paper = Paper
test-paper-size = { $mm } mm, { $columns } characters
test-check = If this line is centred and the rules reach both edges, receipts will print well.
