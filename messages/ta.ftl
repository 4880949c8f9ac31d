# வவுச்சர் POS முனையத்தின் சொற்கள், தமிழில். en.ftl மூலம்; ஒவ்வொரு செய்தி id-யும்
# ஒவ்வொரு { $மாறி }-யும் அப்படியே இருக்க வேண்டும்.
# கடை இதை நம்புவதற்கு முன் மொழிபெயர்ப்பு சரிபார்க்கப்பட வேண்டும்: README, "Languages".

## மேல் பட்டை மற்றும் அறிவிப்பு

app-name = வவுச்சர் POS
sandbox-badge = சோதனைச் சூழல்
simulate-network-loss = இணையத் துண்டிப்பை உருவகப்படுத்து
restore-network = இணையத்தை மீட்டமை
terminal = முனையம்
pending-label = நிலுவையில்:
queue-oldest = (மிகப் பழையது { $minutes } நிமி)
review-label = மறுஆய்வு:
review-link =
    .aria-label = மறுஆய்வுப் பெட்டியைத் திற
cashier-label = காசாளர்:
signed-out = உள்நுழையவில்லை
cashier-with-id = { $name } ({ $id })
sign-out = வெளியேறு
checkout = கட்டணப் பகுதி
manager = மேலாளர்
link-online = ● இணைப்பில்
link-offline = ○ இணைப்பில் இல்லை
link-degraded = ◐ இணைப்பில் (சேவை சிரமப்படுகிறது)
condition-store-failure = முனையத்தால் சேமிக்க முடியவில்லை ({ $message }): இப்போது வவுச்சர்களை ஏற்க முடியாது. வேறு கட்டணத்தைப் பெற்று, பணியிலுள்ள பொறியாளரை அழைக்கவும்.
condition-key-rejected = வவுச்சர் சேவை இந்த முனையத்தின் API சாவியை மறுத்தது ({ $message }). வவுச்சர்கள் வரிசையில் காத்திருக்கின்றன. மேலாளரை அழைக்கவும்: சரியான சாவி மேலாளர் → அமைப்புகளில் இடப்பட வேண்டும்.
condition-offline = இணைப்பில் இல்லை: வவுச்சர் சேவையை அடைய முடியவில்லை. ஸ்கேன் செய்த வவுச்சர்கள் வைக்கப்பட்டு, இணைப்பு திரும்பியதும் அனுப்பப்படும்; இந்த விற்பனைக்குக் கடையின் கொள்கையைப் பின்பற்றவும்.
condition-degraded = வவுச்சர் சேவை தற்போது தோல்வியடைகிறது. வவுச்சர்கள் வைக்கப்பட்டு மீண்டும் முயற்சிக்கப்படும்; எதுவும் இழக்கப்படாது.

## முனையத்தை மூடுதல், தொடங்க முடியாத முனையம்

close-title = முனையத்தை மூடவா?
vouchers-waiting-to-be-sent = அனுப்பக் காத்திருக்கும் வவுச்சர்கள் வரிசையில் இருந்து அடுத்த தொடக்கத்தில் அனுப்பப்படும்.
manager-pin = மேலாளர் PIN
close-submit = முனையத்தை மூடு
keep-it-open = திறந்தே வை
the-terminal-cannot-take-vouchers = முனையத்தால் வவுச்சர்களை ஏற்க முடியாது
what-to-do = என்ன செய்வது:
problem-code-label = குறியீடு:

## உள்நுழைவு

cashier-sign-in = காசாளர் உள்நுழைவு
language-label = மொழி
cashier-id = காசாளர் அடையாளம்
pin = PIN
your-new-pin = உங்கள் புதிய PIN
your-new-pin-again = உங்கள் புதிய PIN மீண்டும்
sign-in = உள்நுழை

## கட்டணப் பகுதி

scan-side =
    .aria-label = ஸ்கேன்
preview =
    .alt = கேமரா முன்னோட்டம்
voucher-code-type-paste-or = வவுச்சர் குறியீடு (தட்டச்சு, ஒட்டு அல்லது ஸ்கேன்)
code-input =
    .placeholder = rsg:v_…
receipt-number = ரசீது எண்
eligible-items-skus-separated-by = தகுதியான பொருட்களின் SKU (காற்புள்ளியால் பிரிக்கவும்)
record-the-voucher-with-these = இந்த விவரங்களுடன் வவுச்சரைப் பதிவு செய்
scanned-code = ஸ்கேன் செய்த குறியீடு
scan-a-voucher-code = வவுச்சர் குறியீட்டை ஸ்கேன் செய்யவும்
accept-the-voucher-for-this = இந்த விற்பனைக்கு வவுச்சரை ஏற்றுக்கொள்
customer-pays-another-way = வாடிக்கையாளர் வேறு வழியில் செலுத்துகிறார்
sale-side =
    .aria-label = இந்த விற்பனை
sale-total-incl-tax = விற்பனை மொத்தம் (வரி உட்பட)
sale-total-input =
    .placeholder = S$0.00
vouchers-on-this-sale = இந்த விற்பனையின் வவுச்சர்கள்
sale-total = விற்பனை மொத்தம்
voucher-value = வவுச்சர் மதிப்பு
forfeited = இழக்கப்பட்டது
balance-due = செலுத்த வேண்டிய மீதி
redeem-enter = மீட்டெடு (Enter)
next-customer = அடுத்த வாடிக்கையாளர்
print-receipt = ரசீதை அச்சிடு
scanner-no-camera = கேமரா எதுவும் இல்லை. குறியீட்டைத் தட்டச்சு செய்யவும் அல்லது கையடக்க ஸ்கேனரைப் பயன்படுத்தவும்.
scanner-not-built = இந்த நிரல் கேமரா ஆதரவு இல்லாமல் உருவாக்கப்பட்டது. குறியீட்டைத் தட்டச்சு செய்யவும் அல்லது கையடக்க ஸ்கேனரைப் பயன்படுத்தவும்.
scanner-camera-lost = கேமரா துண்டிக்கப்பட்டது; அது திரும்ப வரக் காத்திருக்கிறது.
before-the-next-customer = அடுத்த வாடிக்கையாளருக்கு முன்
back-to-the-sale = விற்பனைக்குத் திரும்பு
sending = அனுப்புகிறது…
code-summary = { $prefix }: { $count ->
        [one] 1 வவுச்சர்
       *[other] { $count } வவுச்சர்கள்
    } ({ $first })
code-summary-bare = { $prefix }: { $count ->
        [one] 1 வவுச்சர்
       *[other] { $count } வவுச்சர்கள்
    }
already-redeemed-here = ஏற்கனவே இங்கு மீட்டெடுக்கப்பட்டது (பரிவர்த்தனை { $transaction }).
already-scanned = இந்தக் குறியீடு இந்த விற்பனைக்கு ஏற்கனவே ஸ்கேன் செய்யப்பட்டது; அது காட்டப்படுகிறது.
waiting-for-receipt-details = ரசீது எண்ணுக்கும் SKU-க்கும் காத்திருக்கிறது.
refused-by-service = வவுச்சர் சேவையால் மறுக்கப்பட்டது.
redeemed-transaction = பரிவர்த்தனை { $transaction }
redeemed-campaign-transaction = { $campaign } · பரிவர்த்தனை { $transaction }
manager-must-settle = இந்த வவுச்சரை மேலாளர் தீர்க்க வேண்டும்.
answer-accepted = இந்த விற்பனைக்கு ஏற்கப்பட்டது; முனையம் சேவையுடன் உறுதிப்படுத்தும்.
answer-declined = பயன்படுத்தப்படவில்லை: வாடிக்கையாளர் வேறு வழியில் செலுத்துகிறார். சேவை அதை மீட்டெடுத்திருந்தால், மேலாளர் அதைப் பார்ப்பார்.
answer-may-accept = கடையின் கொள்கைப்படி இந்த விற்பனை வவுச்சருடன் தொடரலாம், அல்லது வாடிக்கையாளர் வேறு வழியில் செலுத்தலாம்.
answer-take-other = வேறு கட்டணத்தைப் பெறவும்: { $reason }
offline-not-accepted = சேவை உறுதிப்படுத்தும் முன் இந்தக் கடை வவுச்சர்களை ஏற்பதில்லை.
offline-too-many-vouchers = { $max }-க்கு மேற்பட்ட வவுச்சர்கள் கொண்ட குறியீடுகள் இணைப்பில் உறுதிப்படுத்தப்பட வேண்டும்.
offline-too-many-pending = { $pending } வவுச்சர்கள் ஏற்கனவே உறுதிப்படுத்தலுக்குக் காத்திருக்கின்றன (வரம்பு { $max }).
offline-too-old = உறுதிப்படுத்தப்படாத மிகப் பழைய வவுச்சர் { $minutes } நிமிடங்கள் காத்திருக்கிறது (வரம்பு { $max }).
sale-heading = விற்பனை { $number } · தொடங்கியது { $opened }
not-known-until-confirmed = சேவை உறுதிப்படுத்தும் வரை தெரியாது
not-sent-yet = { $count ->
        [one] ஸ்கேன் செய்த 1 வவுச்சர் இன்னும் அனுப்பப்படவில்லை: மீட்டெடு என்பதை அழுத்தவும்.
       *[other] ஸ்கேன் செய்த { $count } வவுச்சர்கள் இன்னும் அனுப்பப்படவில்லை: மீட்டெடு என்பதை அழுத்தவும்.
    }
sale-line = { $code } — { $status }
sale-line-value = { $code } — { $status } — { $value }
remove = நீக்கு
remove-from-sale =
    .aria-label = { $code }-ஐ விற்பனையிலிருந்து நீக்கு
resolve-why = { $count ->
        [one] இந்த வவுச்சர் அனுப்பப்பட்டது, சேவை இன்னும் பதிலளிக்கவில்லை. வாடிக்கையாளர் இதைக் கொண்டு செலுத்தினாரா?
       *[other] இந்த { $count } வவுச்சர்கள் அனுப்பப்பட்டன, சேவை இன்னும் பதிலளிக்கவில்லை. வாடிக்கையாளர் இவற்றைக் கொண்டு செலுத்தினாரா?
    }
resolve-line = { $line }. { $answer }
answered-scan-waits = பதிலளிக்கப்பட்டது. இடையில் ஸ்கேன் செய்த வவுச்சர் இன்னும் அனுப்பப்படவில்லை: மீட்டெடு என்பதை அழுத்தவும், அல்லது அதைத் திரும்பப் பெற அடுத்த வாடிக்கையாளர் என்பதை அழுத்தவும்.

## வவுச்சரின் நிலை, சொற்களில்

status-scanned = ஸ்கேன் செய்யப்பட்டது — மீட்டெடு என்பதை அழுத்தவும்
status-in-flight = அனுப்புகிறது…
status-declined = பயன்படுத்தப்படவில்லை — வாடிக்கையாளர் வேறு வழியில் செலுத்தினார்
status-key-rejected = வரிசையில் — சரியான API சாவிக்குக் காத்திருக்கிறது
status-queued-offline = வரிசையில் — இணைப்பில் இல்லை, இன்னும் உறுதிப்படுத்தப்படவில்லை
status-queued-sending = வரிசையில் — அனுப்புகிறது
status-redeemed = மீட்டெடுக்கப்பட்டது
status-refused = மறுக்கப்பட்டது
status-needs-review = மறுஆய்வு — மேலாளர் இதைத் தீர்க்க வேண்டும்
status-cancelled = ரத்து செய்யப்பட்டது

## அச்சிடுதல்

print-done = { $what } அச்சிடப்பட்டது.
print-done-copy = { $what } அச்சிடப்பட்டது (நகல்).
print-failed-receipt = ரசீது அச்சிடப்படவில்லை: { $error } அச்சுப்பொறி சரிசெய்யப்பட்டதும் மீண்டும் அச்சிடவும்.
print-failed = { $what } அச்சிடப்படவில்லை: { $error }
printout-sale = விற்பனை { $number }
printout-report = { $date } நாள் இறுதி அறிக்கை
printout-test = சோதனை அச்சு
printed-on = { $what } { $printer }-இல் அச்சிடப்பட்டது.

## மேலாளர் PIN

the-same-pin-again = அதே PIN மீண்டும்
unlock = திற
choose-manager-pin = மேலாளர் PIN-ஐத் தேர்ந்தெடுக்கவும் (4 முதல் 12 இலக்கங்கள்)
set-pin = PIN அமை
locked-after-idle = சிறிது நேரம் பயன்படுத்தாததால் பூட்டப்பட்டது: PIN-ஐ மீண்டும் உள்ளிடவும்.

## மறுஆய்வுப் பெட்டி

review-inbox-settle-these-first = மறுஆய்வுப் பெட்டி: இவற்றை முதலில் தீர்க்கவும்
nothing-to-review = மறுஆய்வுக்கு எதுவும் காத்திருக்கவில்லை.
review-loss = இழப்பு
review-head = { $code } · { $value } · காசாளர் { $cashier } · ஸ்கேன் { $scanned } · { $since } முதல் மறுஆய்வில்
never-sent = ஒருபோதும் அனுப்பப்படவில்லை.
review-note =
    .placeholder = குறிப்பு (கட்டாயம்)
    .aria-label = { $code }-க்கான குறிப்பு (கட்டாயம்)
review-transaction =
    .placeholder = பரிவர்த்தனை அடையாளம் (மீட்டெடுக்கப்பட்டிருந்தால்)
    .aria-label = { $code }-க்கான பரிவர்த்தனை அடையாளம், மீட்டெடுக்கப்பட்டிருந்தால்
settle-redeemed = தீர்வு: மீட்டெடுக்கப்பட்டது
settle-refused = தீர்வு: மறுக்கப்பட்டது
settle-not-redeemed = தீர்வு: ஒருபோதும் மீட்டெடுக்கப்படவில்லை
review-value-unknown = தெரியாது: சேவை இதை ஒருபோதும் உறுதிப்படுத்தவில்லை
cause-key-reused = இந்த வவுச்சரின் சாவி வேறொரு கோரிக்கைக்கு ஏற்கனவே பயன்படுத்தப்பட்டது என்று சேவை கூறுகிறது; எனவே இந்த மீட்டெடுப்பு நடந்ததா என்று முனையத்தால் சொல்ல முடியாது.
cause-lookup-failed = சேவையின் பரிவர்த்தனைப் பட்டியலைப் படிக்க முடியவில்லை; எனவே வவுச்சர் மீட்டெடுக்கப்பட்டதா என்று இன்னும் யாருக்கும் தெரியாது.
cause-accepted-then-refused = இழப்பு: சேவையை அடைய முடியாதபோது விற்பனை வவுச்சருடன் தொடர்ந்தது, பின்னர் சேவை அதை மறுத்தது.
cause-redeemed-after-decline = வாடிக்கையாளர் வேறு வழியில் செலுத்தினார், ஆனால் சேவை வவுச்சரை மீட்டெடுத்துவிட்டது: அதன் மதிப்பு வாடிக்கையாளருக்குத் திருப்பித் தரப்பட வேண்டும்.
cause-declined-not-found = வாடிக்கையாளர் வேறு வழியில் செலுத்தினார், வவுச்சர் மீட்டெடுக்கப்பட்டதற்கான பதிவு சேவையிடம் இல்லை.
cause-service-changed = இது முதலில் வேறொரு சேவை முகவரிக்கு அல்லது வேறொரு API சாவியுடன் அனுப்பப்பட்டது; எனவே இந்தச் சேவைக்கு மீண்டும் அனுப்பப்படாது.
cause-found-at-service = நாள் இறுதி அறிக்கை இது சேவையில் மீட்டெடுக்கப்பட்டதைக் கண்டது, ஆனால் இந்த முனையம் அதை மீட்டெடுக்கப்பட்டதாகக் கொள்ளவில்லை.
cause-none = காரணம் எதுவும் பதிவு செய்யப்படவில்லை.
evidence-lookup = { $at } அன்று சேவையின் பரிவர்த்தனைகளில் தேடப்பட்டது: { $outcome } ({ $status })
evidence-interrupted = { $at } அன்று அனுப்பப்பட்டது; பதில் வருமுன் முனையம் நின்றது: { $outcome } ({ $status })
evidence-not-sent = { $at } அன்று அனுப்ப முயன்றது: { $outcome } ({ $status })
evidence-sent = { $at } அன்று அனுப்பப்பட்டது: { $outcome } ({ $status })
outcome-redeemed = மீட்டெடுக்கப்பட்டது
outcome-refused = மறுக்கப்பட்டது
outcome-in-progress = சேவையில் இன்னும் செயலாக்கத்தில்
outcome-key-reused = சாவி வேறொரு கோரிக்கைக்குப் பயன்படுத்தப்பட்டது
outcome-rate-limited = அதிகமான கோரிக்கைகள்
outcome-unauthorized = API சாவி மறுக்கப்பட்டது
outcome-not-sent = அனுப்பப்படவில்லை
outcome-server-error = சேவை தோல்வியடைந்தது
outcome-interrupted = பதில் வருமுன் நின்றது
outcome-found = கண்டுபிடிக்கப்பட்டது
outcome-not-found = கண்டுபிடிக்கப்படவில்லை
outcome-lookup-unreachable = சேவையை அடைய முடியவில்லை
outcome-lookup-timeout = நேரத்தில் பதில் இல்லை
outcome-lookup-status = சேவை பிழையுடன் பதிலளித்தது
outcome-lookup-bad-reply = முனையத்தால் படிக்க முடியாத பதில்
outcome-unknown = முடிவு தெரியாது
evidence-no-answer = பதில் இல்லை
evidence-http = HTTP { $status }
evidence-service-said = சேவை கூறியது:

## மீட்டெடுப்புப் பதிவேடு

redemption-log = மீட்டெடுப்புப் பதிவேடு
from = இருந்து
to = வரை
state = நிலை
state-any = அனைத்தும்
state-scanned = ஸ்கேன் செய்யப்பட்டது
state-queued = வரிசையில்
state-in-flight = அனுப்புகிறது
state-unknown = முடிவு தெரியாது
state-redeemed = மீட்டெடுக்கப்பட்டது
state-refused = மறுக்கப்பட்டது
state-needs-review = மறுஆய்வில்
state-cancelled = ரத்து செய்யப்பட்டது
cashier = காசாளர்
search = தேடு
log-search =
    .placeholder = குறியீடு அல்லது பரிவர்த்தனை
show = காட்டு
export-csv = CSV ஏற்றுமதி…
lock = பூட்டு
close-terminal-open = முனையத்தை மூடு…
time = நேரம்
code = குறியீடு
value = மதிப்பு
transaction = பரிவர்த்தனை
older-page = பழையவை →
intent = மீட்டெடுப்பு நோக்கம்
attempts = முயற்சிகள்
history = வரலாறு
detail-summary = { $code } — { $status }
detail-summary-said = { $code } — { $status }: { $message }
attempt-line = { $at } { $kind } → { $outcome } { $status }, { $ms } மி.வி.
attempt-line-detail = { $at } { $kind } → { $outcome } { $status }, { $ms } மி.வி.: { $detail }
attempt-replayed = (மீண்டும் இயக்கப்பட்டது)
history-line = { $at } { $from } → { $to }, செய்தவர் { $actor }
history-line-note = { $at } { $from } → { $to }, செய்தவர் { $actor }: { $note }
exported-rows = { $rows } வரிசைகள் { $path }-க்கு ஏற்றுமதி செய்யப்பட்டன.
export-cancelled = ஏற்றுமதி ரத்து செய்யப்பட்டது.

## அமைப்புகள்

settings = அமைப்புகள்
service = சேவை
service-url-empty-the-demo = சேவை URL (காலியாக: டெமோ சோதனைச் சூழல்; அடுத்த தொடக்கத்தில்)
api-key-write-only-next = API சாவி (எழுத மட்டும்; அடுத்த தொடக்கத்தில்; புதிய சேவை URL-க்கு மீண்டும் தேவை)
test-connection = இணைப்பைச் சோதி
testing-connection = இணைப்பைச் சோதிக்கிறது…
connection-sandbox = சேவை URL இல்லை: இப்படிச் சேமித்தால், கல்லா டெமோ சோதனைச் சூழலில் தொடங்கும் (--service உடன் தொடங்கினால் தவிர).
connection-unreachable = { $url }-இல் எதுவும் பதிலளிக்கவில்லை. முகவரியையும் கடையின் இணையத்தையும் சரிபார்க்கவும்.
connection-no-key = { $url } பதிலளிக்கிறது, ஆனால் அதற்கு API சாவி தட்டச்சு செய்யப்படவோ சேமிக்கப்படவோ இல்லை: சாவியைத் தட்டச்சு செய்து மீண்டும் சோதிக்கவும்.
connection-key-refused = சேவை பதிலளிக்கிறது, ஆனால் API சாவியை மறுத்தது ({ $status }): { $message }
connection-accepted = { $url } பதிலளித்து API சாவியை ஏற்கிறது: அங்கு வவுச்சர்களை மீட்டெடுக்கலாம்.
connection-list-failed = சேவை பதிலளிக்கிறது, ஆனால் அதன் பரிவர்த்தனைப் பட்டியல் தோல்வியடைந்ததால் சாவியைச் சரிபார்க்க முடியவில்லை: { $message }
api-key-set = அமைக்கப்பட்டது ({ $where }-இல்)
api-key-not-set = அமைக்கப்படவில்லை ({ $where })
terminal-id = முனைய அடையாளம்
branch = கிளை
camera = கேமரா
no-camera-found = கேமரா எதுவும் இல்லை
single-user-cashier-id = ஒற்றைப் பயனர் காசாளர் அடையாளம்
currency-symbol = நாணயக் குறியீடு
time-zone-empty-this-computer = நேர மண்டலம் (காலியாக: இந்தக் கணினியினுடையது)
settings-zone =
    .placeholder = Asia/Singapore
terminal-language = சாளரம் மற்றும் ரசீதுகளின் மொழி
lock-manager-screens-after-min = மேலாளர் திரைகளைப் பூட்டும் நேரம் (நிமி)
sign-cashiers-out-after-min = காசாளர்களை வெளியேற்றும் நேரம் (நிமி)
till-mode-full-screen-closing = கல்லா முறை: முழுத் திரை, மூட மேலாளர் PIN தேவை (அடுத்த தொடக்கத்தில்)
sounds-setting = வவுச்சர் மீட்டெடுக்கப்படும்போது அல்லது மறுக்கப்படும்போது சிறிய ஒலி எழுப்பு
start-the-terminal-when-this = இந்தப் பயனர் உள்நுழையும்போது முனையத்தைத் தொடங்கு
log-level-unless-rust-log = பதிவு நிலை (RUST_LOG அமைக்கப்படாவிட்டால்)
log-error = பிழை
log-warn = எச்சரிக்கை
log-info = தகவல்
log-debug = பிழைத்திருத்தம்
log-trace = தடம்
receipt-printer = ரசீது அச்சுப்பொறி
printer-none-network-host-port = அச்சுப்பொறி (none, network:HOST:PORT அல்லது file:/dev/usb/lp0)
settings-printer =
    .placeholder = network:192.168.1.50:9100
paper = காகிதம்
paper-80 = 80 மி.மீ.
paper-58 = 58 மி.மீ.
print-the-receipt-when-a = விற்பனை முடியும்போது ரசீதை அச்சிடு
store-name = கடையின் பெயர்
uen = UEN
address = முகவரி
test-print = சோதனை அச்சு
offline-policy = இணைப்பில்லாத நிலைக் கொள்கை
accept-vouchers-offline = இணைப்பில் இல்லாதபோது வவுச்சர்களை ஏற்கவும்
max-pending = அதிகபட்ச நிலுவை
max-pending-age-min = அதிகபட்ச நிலுவை நேரம் (நிமி)
max-vouchers-per-code = ஒரு குறியீட்டுக்கு அதிகபட்ச வவுச்சர்கள்
records = பதிவுகள்
keep-final-intents-days-at = முடிந்த நோக்கங்களை வைத்திருக்கும் நாட்கள் (குறைந்தது 90)
backups-kept = வைத்திருக்கும் காப்புப்பிரதிகள்
back-up-now = இப்போது காப்புப்பிரதி எடு
save-diagnostics-for-support = ஆதரவுக்காகக் கண்டறிதல் தகவலைச் சேமி…
archive-older-final-intents = பழைய முடிந்த நோக்கங்களைக் காப்பகப்படுத்து…
save-settings = அமைப்புகளைச் சேமி
confirm-empty-service = சேவை URL இல்லாவிட்டால், அடுத்த தொடக்கத்திலிருந்து இந்தக் கல்லா டெமோ சோதனைச் சூழலில் இயங்கும்; { $url }-இல் எதையும் மீட்டெடுக்காது. அதைச் செய்ய அமைப்புகளைச் சேமி என்பதை மீண்டும் அழுத்தவும்.
settings-saved = சேமிக்கப்பட்டது. முனைய அடையாளமும் கிளையும் இப்போதே நடைமுறைக்கு வரும்; சேவை, கேமரா, API சாவி அடுத்த தொடக்கத்தில்.
diagnostics-saved = கண்டறிதல் தகவல் { $path }-இல் சேமிக்கப்பட்டது (அதில் API சாவி, PIN, வவுச்சர் குறியீடு எதுவும் இல்லை).
cancelled = ரத்து செய்யப்பட்டது.
archived = { $count } முடிந்த நோக்கங்கள் { $file }-க்குக் காப்பகப்படுத்தப்பட்டு முனையத்திலிருந்து நீக்கப்பட்டன.
nothing-to-archive = காப்பகப்படுத்த எதுவும் இல்லை: வைத்திருக்கும் காலத்தைவிடப் பழைய முடிந்த நோக்கம் இல்லை.
backed-up = { $path }-க்குக் காப்புப்பிரதி எடுக்கப்பட்டது.

## நாள் இறுதி

end-of-day = நாள் இறுதி
day = நாள்
reconcile-with-the-service = சேவையுடன் ஒப்பிடு
print-z-report = Z அறிக்கையை அச்சிடு
z-report = Z அறிக்கை
findings = கண்டறிந்தவை
totals = மொத்தங்கள்
by = வகை
id = அடையாளம்
redemptions = மீட்டெடுப்புகள்
at-the-service-from-other = சேவையில் உள்ளவை: பிற முனையங்களிலிருந்து, அல்லது இங்கு இழந்தவை
here-not-at-the-service = இங்கு உள்ளவை, சேவையில் இல்லை (நிலுவை, மறுஆய்வு, அல்லது கண்டறிந்தவை)
eod-title = கிளை { $branch }, முனையம் { $terminal }, { $date } ({ $zone })
eod-total = { $count ->
        [one] கிளை { $branch }-இல் 1 மீட்டெடுப்புக்குச் சேவை { $value } திருப்பித் தரும்.
       *[other] கிளை { $branch }-இல் { $count } மீட்டெடுப்புகளுக்குச் சேவை { $value } திருப்பித் தரும்.
    }
eod-no-findings = எதுவும் இல்லை: சேவையும் இந்த முனையமும் ஒத்துப்போகின்றன.
eod-service-row = { $at } முனையம் { $terminal }, காசாளர் { $cashier }: { $value } ({ $transaction })
eod-service-row-lost = { $at } முனையம் { $terminal }, காசாளர் { $cashier }: { $value } ({ $transaction }) — இந்த முனையம் இதன் தடத்தை இழந்தது
eod-local-row = { $at } { $state }{ $value }, { $minutes } நிமி பழையது
eod-local-row-finding = { $at } { $state }{ $value }, { $minutes } நிமி பழையது — சேவையில் இல்லை
eod-sales = { $count ->
        [one] அன்று இந்த முனையத்தில் 1 விற்பனை முடிந்தது.
       *[other] அன்று இந்த முனையத்தில் { $count } விற்பனைகள் முடிந்தன.
    }
eod-sale-open = விற்பனை { $number } இன்னும் திறந்துள்ளது.
eod-matched = { $count ->
        [one] இந்த முனையத்தின் 1 மீட்டெடுப்பு சேவையின் பதிவுகளுடன் ஒத்துப்போகிறது.
       *[other] இந்த முனையத்தின் { $count } மீட்டெடுப்புகள் சேவையின் பதிவுகளுடன் ஒத்துப்போகின்றன.
    }
eod-opened-reviews = { $count } மறுஆய்வுப் பெட்டிக்கு அனுப்பப்பட்டன.
own-tally-title = இந்த முனையத்தின் சொந்த நாள் பதிவு
own-tally-why = கிளையின் நாள் இறுதிக்கு வவுச்சர் சேவையின் பட்டியல் தேவை, அதுவே அதிகாரப்பூர்வப் பதிவு: பிற முனையங்களின் மீட்டெடுப்புகளும், இந்த முனையம் தடம் இழந்தவையும் அங்கு மட்டுமே உள்ளன. சேவை பதிலளித்ததும் மீண்டும் ஒப்பிடவும். அதுவரை, இந்த முனையம் வைத்திருப்பது இதுதான்.
own-tally-redeemed = { $count ->
        [one] { $date } அன்று இங்கு 1 வவுச்சர் மீட்டெடுக்கப்பட்டது: { $value }.
       *[other] { $date } அன்று இங்கு { $count } வவுச்சர்கள் மீட்டெடுக்கப்பட்டன: { $value }.
    }
own-tally-cashier = காசாளர் { $cashier }: { $count }, மொத்தம் { $value }
own-tally-rest = இன்னும் தீர்க்கப்படாதவை: { $waiting } சேவைக்குக் காத்திருக்கின்றன, { $review } மறுஆய்வில். இங்கு முடிந்த விற்பனைகள்: { $sales }.
by-terminal = முனையம்
by-cashier = காசாளர்
by-campaign = பிரச்சாரம்
by-bank-statement = வங்கி அறிக்கை
saved-to = { $path }-இல் சேமிக்கப்பட்டது.

## The core's errors, as the cashier and the manager read them

error-code-empty = எதுவும் ஸ்கேன் செய்யப்படவில்லை.
error-code-not-text = இது இரும (binary) தரவு, வவுச்சர் குறியீடு அல்ல.
error-code-web-address = இது இணையதள முகவரி, வவுச்சர் குறியீடு அல்ல.
error-code-control = இந்தக் குறியீட்டில் மறைந்த கட்டுப்பாட்டு எழுத்துகள் உள்ளன; இது வவுச்சர் குறியீடு அல்ல.
error-code-too-long = வவுச்சர் குறியீடாக இருக்க இது மிக நீளமானது ({ $len } எழுத்துகள்; அதிகபட்சம் { $max }).
error-code-not-voucher = வவுச்சர் குறியீடு அல்ல: வவுச்சர் குறியீடுகள் "rsg:" என்று தொடங்கும்.
error-code-bad-prefix = பிரச்சார முன்னொட்டு "{ $prefix }" தவறான வடிவில் உள்ளது.
error-code-no-vouchers = இந்தக் குறியீட்டில் வவுச்சர் அடையாளங்கள் இல்லை.
error-code-too-many = ஒரு குறியீட்டில் அதிகமான வவுச்சர்கள் ({ $count }; அதிகபட்சம் { $max }).
error-code-bad-voucher = இந்தக் குறியீட்டின் { $position }-ஆவது வவுச்சர் தவறான வடிவில் உள்ளது.
error-money-malformed = { $typed } ஒரு தொகை அல்ல: 1,250.00 போலத் தட்டச்சு செய்யவும்
error-money-negative = தொகை எதிர்மறையாக இருக்க முடியாது.
error-money-too-large = ஒரு விற்பனைக்கு அந்தத் தொகை மிக அதிகம்.
error-pin-shape = இந்த PIN-இல் { $least } முதல் 12 இலக்கங்கள் இருக்க வேண்டும்.
error-pin-common = { $pin } பலர் அடிக்கடி தேர்ந்தெடுக்கும் PIN-களில் ஒன்று, எனவே முதலில் ஊகிக்கப்படும்: வேறொன்றைத் தேர்ந்தெடுக்கவும்.
error-pin-run = ஏறுவரிசை அல்லது இறங்குவரிசை PIN (123456 போல) முதலில் ஊகிக்கப்படும்: வேறொன்றைத் தேர்ந்தெடுக்கவும்.
error-pin-repeat = திரும்பத் திரும்ப வரும் PIN (111111 அல்லது 121212 போல) முதலில் ஊகிக்கப்படும்: வேறொன்றைத் தேர்ந்தெடுக்கவும்.
error-pin-year = ஆண்டு முதலில் ஊகிக்கப்படும்: ஆண்டு அல்லாத PIN-ஐத் தேர்ந்தெடுக்கவும்.
error-pin-unchanged = புதிய PIN மேலாளர் அமைத்ததிலிருந்து வேறுபட வேண்டும்.
error-pin-mismatch = இரண்டு PIN-களும் ஒன்றாக இல்லை; புதிய PIN-ஐ இருமுறை தட்டச்சு செய்யவும்.
error-pin-wrong = அந்த PIN சரியில்லை.
error-pin-wrong-wait = அந்த PIN சரியில்லை. அடுத்த முயற்சிக்கு முன் { $wait } காத்திருக்கவும்.
error-pin-wait = தவறான PIN-கள் அதிகம். { $wait } கழித்து மீண்டும் முயற்சிக்கவும்.
error-pin-not-set = இந்த முனையத்துக்கு இன்னும் மேலாளர் PIN இல்லை: ஒன்றைத் தேர்ந்தெடுத்து இருமுறை தட்டச்சு செய்யவும்.
error-pin-already-set = இந்த முனையத்துக்கு ஏற்கனவே மேலாளர் PIN உள்ளது.
error-signed-out = முதலில் உள்நுழையவும்: உங்கள் காசாளர் அடையாளத்தையும் PIN-ஐயும் தட்டச்சு செய்யவும்.
error-manager-locked = மேலாளர் திரைகள் பூட்டப்பட்டுள்ளன: மேலாளர் PIN-ஐ உள்ளிடவும்.
wait-one-second = 1 வினாடி
wait-seconds = { $n } வினாடிகள்
wait-minutes = { $n } நிமிடங்கள்

## காசாளர்கள் மற்றும் மேலாளர் PIN

cashiers = காசாளர்கள்
with-no-cashiers-listed-the = காசாளர் பட்டியல் இல்லாவிட்டால், முனையம் ஒற்றைப் பயனருக்காக இயங்கும். ஒருவர் பட்டியலிடப்பட்டதும், ஒவ்வொரு காசாளரும் தம் சொந்த PIN-உடன் உள்நுழைவார். நீங்கள் இங்கு தட்டச்சு செய்யும் PIN ஒரு உள்நுழைவுக்கு மட்டுமே: பின்னர் காசாளர் தம் சொந்த PIN-ஐத் தேர்ந்தெடுப்பார்.
name = பெயர்
pin-again = PIN மீண்டும்
add-cashier = காசாளரைச் சேர்
one-time-pin = ஒருமுறை PIN
again = மீண்டும்
reset-pin = PIN-ஐ மீட்டமை
no-cashiers = காசாளர்கள் இல்லை: ஒற்றைப் பயனர்.
new-one-time-pin-for = { $name } ({ $id })-க்கான புதிய ஒருமுறை PIN:
cashier-added = { $name } ({ $id }) சேர்க்கப்பட்டார். கட்டணப் பகுதி இப்போது உள்நுழைவைக் கேட்கும்.
cashier-pin-reset = { $id }-இன் PIN மீட்டமைக்கப்பட்டது: புதியது ஒரு உள்நுழைவுக்கு மட்டுமே.
this-pin-was-chosen-before = இந்த PIN, முனையத்தின் PIN விதிகளுக்கு (6 அல்லது அதற்கு மேற்பட்ட இலக்கங்கள், பலர் முதலில் தேர்வு செய்யாதது) முன் தேர்ந்தெடுக்கப்பட்டது. கீழே புதிய ஒன்றைத் தேர்ந்தெடுக்கவும்.
current = தற்போதைய
new = புதிய
new-again = புதியது மீண்டும்
change-pin = PIN-ஐ மாற்று
manager-pin-changed = மேலாளர் PIN மாற்றப்பட்டது.
pin-forgotten = மறந்துவிட்டீர்களா? முனையத்தின் கணினியை அணுகக்கூடிய ஒருவர் இந்தக் கட்டளையை இயக்க வேண்டும்:
terminal-history = முனைய வரலாறு
older = பழையவை

## ரசீதுகள் (தமிழ் முனையத்தின் ரசீதுகள் ஆங்கிலத்தில் அச்சிடப்படும்: src/messages.rs)

receipt-title = ரசீது
receipt-uen = UEN { $uen }
receipt-copy = நகல் - மூலப்பிரதி அல்ல
receipt-sale = விற்பனை { $number }
receipt-terminal = முனையம் { $terminal }
receipt-cashier = காசாளர் { $cashier }
receipt-sale-total = விற்பனை மொத்தம் (வரி உட்பட)
receipt-vouchers = { $count ->
        [one] வவுச்சர்
       *[other] { $count } வவுச்சர்கள்
    }
receipt-vouchers-to-confirm = { $count ->
        [one] வவுச்சர் (உறுதிப்படுத்தப்பட வேண்டும்)
       *[other] { $count } வவுச்சர்கள் (உறுதிப்படுத்தப்பட வேண்டும்)
    }
receipt-transaction = பரிவர்த்தனை
receipt-accepted-offline = இணைப்பின்றி ஏற்கப்பட்டது; சேவை பின்னர் உறுதிப்படுத்தும்.
receipt-vouchers-total = பயன்படுத்திய வவுச்சர்கள்
receipt-and-to-confirm = மேலும் { $count } உறுதிப்படுத்தப்பட வேண்டும்
receipt-forfeited = இழக்கப்பட்டது
receipt-balance-due = செலுத்த வேண்டிய மீதி
receipt-number-line = ரசீது எண் { $number }
receipt-skus = SKU { $skus }
receipt-vouchers-used = இந்த விற்பனையில் வவுச்சர்கள் பயன்படுத்தப்பட்டன.
receipt-not-refunded = வவுச்சர் தொகைகள் திருப்பித் தரப்படாது: ரத்தான விற்பனையில் பிற வழிகளில் செலுத்தியது மட்டுமே திருப்பித் தரப்படும்.
z-title = நாள் இறுதி (Z) அறிக்கை
z-day = நாள்
z-branch = கிளை
z-terminal = முனையம்
z-printed = அச்சிட்ட நேரம்
z-at-service = சேவையில் (கிளையின் நாள்)
z-redemptions = { $count ->
        [one] 1 மீட்டெடுப்பு
       *[other] { $count } மீட்டெடுப்புகள்
    }
z-by-campaign = பிரச்சாரப்படி
z-by-terminal = முனையப்படி
z-by-cashier = காசாளர்படி
z-sales-closed = இங்கு முடிந்த விற்பனைகள்
z-sale-open = விற்பனை { $number } கல்லாவில் இன்னும் திறந்துள்ளது.
z-matched = இந்த முனையத்துடன் ஒத்தவை
z-service-only = சேவையில் மட்டும்
z-local-only = இந்த முனையத்தில் மட்டும்
z-no-findings = கண்டறிந்தவை இல்லை: நாள் ஒத்துப்போகிறது.
z-findings = மேலாளருக்கான கண்டறிந்தவை ({ $count }):
test-title = சோதனை அச்சு
test-printer = அச்சுப்பொறி
test-paper = காகிதம்
test-paper-size = { $mm } மி.மீ., { $columns } எழுத்துகள்
test-check = இந்த வரி நடுவில் இருந்து, கோடுகள் இரு ஓரங்களையும் தொட்டால், ரசீதுகள் சரியாக அச்சிடப்படும்.
