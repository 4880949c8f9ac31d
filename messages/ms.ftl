# Perkataan terminal POS baucar, dalam Bahasa Melayu. en.ftl ialah sumbernya;
# setiap id mesej dan setiap { $pembolehubah } mesti dikekalkan.
# Terjemahan perlu disemak sebelum kedai bergantung padanya: lihat README, "Languages".

## Bar atas dan sepanduk

app-name = POS Baucar
sandbox-badge = KOTAK PASIR
simulate-network-loss = Simulasikan rangkaian terputus
restore-network = Pulihkan rangkaian
terminal = Terminal
pending-label = Menunggu:
queue-oldest = (paling lama { $minutes } min)
review-label = Semakan:
review-link =
    .aria-label = Buka peti semakan
cashier-label = Juruwang:
signed-out = belum log masuk
cashier-with-id = { $name } ({ $id })
sign-out = Log keluar
checkout = Kaunter
manager = Pengurus
link-online = ● Dalam talian
link-offline = ○ Luar talian
link-degraded = ◐ Dalam talian (perkhidmatan bermasalah)
condition-store-failure = Terminal tidak dapat menyimpan ({ $message }): ia tidak boleh menerima baucar sekarang. Terima bayaran lain dan hubungi jurutera bertugas.
condition-key-rejected = Perkhidmatan baucar menolak kunci API terminal ini ({ $message }). Baucar menunggu dalam baris gilir. Hubungi pengurus: kunci yang betul dimasukkan di Pengurus → Tetapan.
condition-offline = Luar talian: perkhidmatan baucar tidak dapat dihubungi. Baucar yang diimbas disimpan dan dihantar apabila talian kembali; ikut polisi kedai untuk jualan ini.
condition-degraded = Perkhidmatan baucar sedang bermasalah. Baucar disimpan dan dicuba semula; tiada yang hilang.

## Menutup terminal, dan terminal yang tidak dapat bermula

close-title = Tutup terminal?
vouchers-waiting-to-be-sent = Baucar yang menunggu untuk dihantar kekal dalam baris gilir dan dihantar pada permulaan seterusnya.
manager-pin = PIN pengurus
close-submit = Tutup terminal
keep-it-open = Biarkan terbuka
the-terminal-cannot-take-vouchers = Terminal tidak boleh menerima baucar
what-to-do = Apa yang perlu dibuat:
problem-code-label = Kod:

## Log masuk

cashier-sign-in = Log masuk juruwang
language-label = Bahasa
cashier-id = ID juruwang
pin = PIN
your-new-pin = PIN baharu anda
your-new-pin-again = PIN baharu anda sekali lagi
sign-in = Log masuk

## Kaunter

scan-side =
    .aria-label = Imbas
preview =
    .alt = Pratonton kamera
voucher-code-type-paste-or = Kod baucar (taip, tampal atau imbas)
code-input =
    .placeholder = rsg:v_…
receipt-number = Nombor resit
eligible-items-skus-separated-by = SKU barang yang layak (dipisahkan dengan koma)
record-the-voucher-with-these = Rekodkan baucar dengan butiran ini
scanned-code = Kod yang diimbas
scan-a-voucher-code = Imbas kod baucar
accept-the-voucher-for-this = Terima baucar untuk jualan ini
customer-pays-another-way = Pelanggan membayar dengan cara lain
sale-side =
    .aria-label = Jualan ini
sale-total-incl-tax = Jumlah jualan (termasuk cukai)
sale-total-input =
    .placeholder = S$0.00
vouchers-on-this-sale = Baucar untuk jualan ini
sale-total = Jumlah jualan
voucher-value = Nilai baucar
forfeited = Dilucuthakkan
balance-due = Baki perlu dibayar
redeem-enter = Tebus (Enter)
next-customer = Pelanggan seterusnya
print-receipt = Cetak resit
scanner-no-camera = Tiada kamera ditemui. Taip kod atau gunakan pengimbas tangan.
scanner-not-built = Program ini dibina tanpa sokongan kamera. Taip kod atau gunakan pengimbas tangan.
scanner-camera-lost = Kamera terputus; menunggu ia kembali.
before-the-next-customer = Sebelum pelanggan seterusnya
back-to-the-sale = Kembali ke jualan
sending = Menghantar…
code-summary = { $prefix }: { $count } baucar ({ $first })
code-summary-bare = { $prefix }: { $count } baucar
already-redeemed-here = Sudah ditebus di sini (transaksi { $transaction }).
already-scanned = Kod ini sudah diimbas untuk jualan ini; ia ditunjukkan.
waiting-for-receipt-details = Menunggu nombor resit dan SKU.
refused-by-service = Ditolak oleh perkhidmatan baucar.
redeemed-transaction = Transaksi { $transaction }
redeemed-campaign-transaction = { $campaign } · Transaksi { $transaction }
manager-must-settle = Pengurus mesti menyelesaikan baucar ini.
answer-accepted = Diterima untuk jualan ini; terminal akan mengesahkannya dengan perkhidmatan.
answer-declined = Tidak digunakan: pelanggan membayar dengan cara lain. Jika perkhidmatan ternyata telah menebusnya, pengurus akan melihatnya.
answer-may-accept = Polisi kedai membenarkan jualan ini diteruskan dengan baucar, atau pelanggan boleh membayar dengan cara lain.
answer-take-other = Terima bayaran lain: { $reason }
offline-not-accepted = Kedai ini tidak menerima baucar sebelum perkhidmatan mengesahkannya.
offline-too-many-vouchers = Kod dengan lebih daripada { $max } baucar mesti disahkan dalam talian.
offline-too-many-pending = { $pending } baucar sudah menunggu pengesahan (hadnya { $max }).
offline-too-old = Baucar belum disahkan yang paling lama telah menunggu { $minutes } minit (hadnya { $max }).
sale-heading = Jualan { $number } · dibuka { $opened }
not-known-until-confirmed = tidak diketahui sehingga perkhidmatan mengesahkan
not-sent-yet = { $count } baucar yang diimbas belum dihantar: tekan Tebus.
sale-line = { $code } — { $status }
sale-line-value = { $code } — { $status } — { $value }
remove = Buang
remove-from-sale =
    .aria-label = Buang { $code } daripada jualan
resolve-why = { $count ->
        [1] Baucar ini telah dihantar dan perkhidmatan belum menjawab. Adakah pelanggan membayar dengannya?
       *[other] { $count } baucar ini telah dihantar dan perkhidmatan belum menjawab. Adakah pelanggan membayar dengannya?
    }
resolve-line = { $line }. { $answer }
answered-scan-waits = Sudah dijawab. Baucar yang diimbas sementara itu belum dihantar: tekan Tebus, atau Pelanggan seterusnya untuk menariknya balik.

## Keadaan baucar, dalam perkataan

status-scanned = Diimbas — tekan Tebus
status-in-flight = Menghantar…
status-declined = Tidak digunakan — pelanggan membayar dengan cara lain
status-key-rejected = Dalam giliran — menunggu kunci API yang sah
status-queued-offline = Dalam giliran — luar talian, belum disahkan
status-queued-sending = Dalam giliran — sedang dihantar
status-redeemed = Ditebus
status-refused = Ditolak
status-needs-review = Semakan — pengurus mesti menyelesaikannya
status-cancelled = Dibatalkan

## Mencetak

print-done = { $what } sudah dicetak.
print-done-copy = { $what } sudah dicetak (salinan).
print-failed-receipt = Resit tidak dicetak: { $error } Cetak semula setelah pencetak dibaiki.
print-failed = { $what } tidak dicetak: { $error }
printout-sale = Jualan { $number }
printout-report = Laporan akhir hari { $date }
printout-test = Cetakan ujian
printed-on = { $what } dicetak pada { $printer }.

## PIN pengurus

the-same-pin-again = PIN yang sama sekali lagi
unlock = Buka kunci
choose-manager-pin = Pilih PIN pengurus (4 hingga 12 digit)
set-pin = Tetapkan PIN
locked-after-idle = Dikunci selepas tidak digunakan seketika: masukkan PIN sekali lagi.

## Peti semakan

review-inbox-settle-these-first = Peti semakan: selesaikan ini dahulu
nothing-to-review = Tiada apa-apa menunggu semakan.
review-loss = KERUGIAN
review-head = { $code } · { $value } · juruwang { $cashier } · diimbas { $scanned } · dalam semakan sejak { $since }
never-sent = Tidak pernah dihantar.
review-note =
    .placeholder = Nota (wajib)
    .aria-label = Nota untuk { $code } (wajib)
review-transaction =
    .placeholder = ID transaksi (jika ditebus)
    .aria-label = ID transaksi untuk { $code }, jika ditebus
settle-redeemed = Selesaikan: ditebus
settle-refused = Selesaikan: ditolak
settle-not-redeemed = Selesaikan: tidak pernah ditebus
review-value-unknown = tidak diketahui: perkhidmatan tidak pernah mengesahkannya
cause-key-reused = Perkhidmatan menyatakan kunci baucar ini sudah digunakan untuk permintaan lain, jadi terminal tidak dapat memastikan sama ada penebusan ini berlaku.
cause-lookup-failed = Senarai transaksi perkhidmatan tidak dapat dibaca, jadi belum diketahui sama ada baucar telah ditebus.
cause-accepted-then-refused = Kerugian: jualan diteruskan dengan baucar semasa perkhidmatan tidak dapat dihubungi, dan perkhidmatan kemudiannya menolaknya.
cause-redeemed-after-decline = Pelanggan membayar dengan cara lain, tetapi perkhidmatan tetap menebus baucar: pelanggan berhak mendapat nilainya.
cause-declined-not-found = Pelanggan membayar dengan cara lain, dan perkhidmatan tiada rekod baucar itu ditebus.
cause-service-changed = Ia mula-mula dihantar ke alamat perkhidmatan lain atau dengan kunci API lain, jadi ia tidak dihantar semula ke perkhidmatan ini.
cause-found-at-service = Laporan akhir hari mendapati ia ditebus di perkhidmatan, tetapi terminal ini tidak merekodkannya sebagai ditebus.
cause-none = Tiada sebab direkodkan.
evidence-lookup = Disemak dalam transaksi perkhidmatan pada { $at }: { $outcome } ({ $status })
evidence-interrupted = Dihantar; terminal berhenti sebelum jawapan, pada { $at }: { $outcome } ({ $status })
evidence-not-sent = Cuba dihantar pada { $at }: { $outcome } ({ $status })
evidence-sent = Dihantar pada { $at }: { $outcome } ({ $status })
outcome-redeemed = ditebus
outcome-refused = ditolak
outcome-in-progress = masih diproses oleh perkhidmatan
outcome-key-reused = kunci digunakan untuk permintaan lain
outcome-rate-limited = terlalu banyak permintaan
outcome-unauthorized = kunci API ditolak
outcome-not-sent = tidak dihantar
outcome-server-error = perkhidmatan gagal
outcome-interrupted = berhenti sebelum jawapan
outcome-found = ditemui
outcome-not-found = tidak ditemui
outcome-lookup-unreachable = perkhidmatan tidak dapat dihubungi
outcome-lookup-timeout = tiada jawapan dalam masa
outcome-lookup-status = perkhidmatan menjawab dengan ralat
outcome-lookup-bad-reply = jawapan yang tidak dapat dibaca oleh terminal
outcome-unknown = hasil tidak diketahui
evidence-no-answer = tiada jawapan
evidence-http = HTTP { $status }
evidence-service-said = Perkhidmatan berkata:

## Log penebusan

redemption-log = Log penebusan
from = Dari
to = Hingga
state = Keadaan
state-any = semua
state-scanned = diimbas
state-queued = dalam giliran
state-in-flight = sedang dihantar
state-unknown = hasil tidak diketahui
state-redeemed = ditebus
state-refused = ditolak
state-needs-review = dalam semakan
state-cancelled = dibatalkan
cashier = Juruwang
search = Cari
log-search =
    .placeholder = kod atau transaksi
show = Tunjuk
export-csv = Eksport CSV…
lock = Kunci
close-terminal-open = Tutup terminal…
time = Masa
code = Kod
value = Nilai
transaction = Transaksi
older-page = Lebih lama →
intent = Niat penebusan
attempts = Percubaan
history = Sejarah
detail-summary = { $code } — { $status }
detail-summary-said = { $code } — { $status }: { $message }
attempt-line = { $at } { $kind } → { $outcome } { $status }, { $ms } ms
attempt-line-detail = { $at } { $kind } → { $outcome } { $status }, { $ms } ms: { $detail }
attempt-replayed = (diulang)
history-line = { $at } { $from } → { $to } oleh { $actor }
history-line-note = { $at } { $from } → { $to } oleh { $actor }: { $note }
exported-rows = { $rows } baris dieksport ke { $path }.
export-cancelled = Eksport dibatalkan.

## Tetapan

settings = Tetapan
service = Perkhidmatan
service-url-empty-the-demo = URL perkhidmatan (kosong: kotak pasir demo; permulaan seterusnya)
api-key-write-only-next = Kunci API (tulis sahaja; permulaan seterusnya; perlu dimasukkan semula untuk URL perkhidmatan baharu)
test-connection = Uji sambungan
testing-connection = Menguji sambungan…
connection-sandbox = Tiada URL perkhidmatan: jika disimpan begini, kaunter bermula dengan kotak pasir demo (melainkan dimulakan dengan --service).
connection-unreachable = Tiada jawapan di { $url }. Semak alamat dan rangkaian kedai.
connection-no-key = { $url } menjawab, tetapi tiada kunci API ditaip atau disimpan untuknya: taip kunci, kemudian uji semula.
connection-key-refused = Perkhidmatan menjawab tetapi menolak kunci API ({ $status }): { $message }
connection-accepted = { $url } menjawab dan menerima kunci API: baucar boleh ditebus di sana.
connection-list-failed = Perkhidmatan menjawab, tetapi senarai transaksinya gagal, jadi kunci tidak dapat disemak: { $message }
api-key-set = ditetapkan (dalam { $where })
api-key-not-set = belum ditetapkan ({ $where })
terminal-id = ID terminal
branch = Cawangan
camera = Kamera
no-camera-found = tiada kamera ditemui
single-user-cashier-id = ID juruwang pengguna tunggal
currency-symbol = Simbol mata wang
time-zone-empty-this-computer = Zon waktu (kosong: zon komputer ini)
settings-zone =
    .placeholder = Asia/Singapore
terminal-language = Bahasa tetingkap dan resit
lock-manager-screens-after-min = Kunci skrin pengurus selepas (min)
sign-cashiers-out-after-min = Log keluar juruwang selepas (min)
till-mode-full-screen-closing = Mod kaunter: skrin penuh, menutup memerlukan PIN pengurus (permulaan seterusnya)
sounds-setting = Mainkan bunyi pendek apabila baucar ditebus atau ditolak
start-the-terminal-when-this = Mulakan terminal apabila pengguna ini log masuk
log-level-unless-rust-log = Tahap log (melainkan RUST_LOG ditetapkan)
log-error = ralat
log-warn = amaran
log-info = maklumat
log-debug = nyahpepijat
log-trace = surih
receipt-printer = Pencetak resit
printer-none-network-host-port = Pencetak (none, network:HOST:PORT atau file:/dev/usb/lp0)
settings-printer =
    .placeholder = network:192.168.1.50:9100
paper = Kertas
paper-80 = 80 mm
paper-58 = 58 mm
print-the-receipt-when-a = Cetak resit apabila jualan ditutup
store-name = Nama kedai
uen = UEN
address = Alamat
test-print = Cetakan ujian
offline-policy = Polisi luar talian
accept-vouchers-offline = Terima baucar semasa luar talian
max-pending = Maksimum menunggu
max-pending-age-min = Tempoh menunggu maksimum (min)
max-vouchers-per-code = Maksimum baucar setiap kod
records = Rekod
keep-final-intents-days-at = Simpan niat yang selesai (hari, sekurang-kurangnya 90)
backups-kept = Salinan sandaran disimpan
back-up-now = Sandarkan sekarang
save-diagnostics-for-support = Simpan diagnostik untuk sokongan…
archive-older-final-intents = Arkibkan niat selesai yang lebih lama…
save-settings = Simpan tetapan
confirm-empty-service = Tanpa URL perkhidmatan, kaunter ini menggunakan kotak pasir demo mulai permulaan seterusnya, dan tidak menebus apa-apa di { $url }. Tekan Simpan tetapan sekali lagi untuk berbuat demikian.
settings-saved = Disimpan. ID terminal dan cawangan berkuat kuasa sekarang; perkhidmatan, kamera dan kunci API pada permulaan seterusnya.
diagnostics-saved = Diagnostik disimpan ke { $path } (tiada kunci API, PIN atau kod baucar di dalamnya).
cancelled = Dibatalkan.
archived = { $count } niat selesai diarkibkan ke { $file } dan dibuang daripada terminal.
nothing-to-archive = Tiada apa-apa untuk diarkibkan: tiada niat selesai yang lebih lama daripada tempoh simpanan.
backed-up = Disandarkan ke { $path }.

## Akhir hari

end-of-day = Akhir hari
day = Hari
reconcile-with-the-service = Selaraskan dengan perkhidmatan
print-z-report = Cetak laporan Z
z-report = Laporan Z
findings = Penemuan
totals = Jumlah
by = Mengikut
id = ID
redemptions = Penebusan
at-the-service-from-other = Di perkhidmatan, daripada terminal lain atau hilang di sini
here-not-at-the-service = Di sini, tiada di perkhidmatan (menunggu, dalam semakan, atau penemuan)
eod-title = cawangan { $branch }, terminal { $terminal }, { $date } ({ $zone })
eod-total = Perkhidmatan akan membayar balik { $value } untuk { $count } penebusan di cawangan { $branch }.
eod-no-findings = Tiada: perkhidmatan dan terminal ini sepadan.
eod-service-row = { $at } terminal { $terminal }, juruwang { $cashier }: { $value } ({ $transaction })
eod-service-row-lost = { $at } terminal { $terminal }, juruwang { $cashier }: { $value } ({ $transaction }) — terminal ini kehilangan jejaknya
eod-local-row = { $at } { $state }{ $value }, { $minutes } min lalu
eod-local-row-finding = { $at } { $state }{ $value }, { $minutes } min lalu — tiada di perkhidmatan
eod-sales = { $count } jualan ditutup di terminal ini pada hari itu.
eod-sale-open = Jualan { $number } masih terbuka.
eod-matched = { $count } penebusan terminal ini sepadan dengan rekod perkhidmatan.
eod-opened-reviews = { $count } dihantar ke peti semakan.
own-tally-title = Rekod hari itu milik terminal ini sendiri
own-tally-why = Akhir hari cawangan memerlukan senarai perkhidmatan baucar, iaitu rekod rasmi: penebusan terminal lain, dan yang hilang jejak di terminal ini, hanya ada di sana. Selaraskan semula setelah perkhidmatan menjawab. Sehingga itu, inilah yang disimpan oleh terminal ini.
own-tally-redeemed = { $count } baucar ditebus di sini pada { $date }: { $value }.
own-tally-cashier = Juruwang { $cashier }: { $count } bernilai { $value }
own-tally-rest = Belum selesai: { $waiting } menunggu perkhidmatan, { $review } dalam semakan. Jualan ditutup di sini: { $sales }.
by-terminal = Terminal
by-cashier = Juruwang
by-campaign = Kempen
by-bank-statement = Penyata bank
saved-to = Disimpan ke { $path }.

## The core's errors, as the cashier and the manager read them

error-code-empty = Tiada apa-apa diimbas.
error-code-not-text = Ini data binari, bukan kod baucar.
error-code-web-address = Ini alamat laman web, bukan kod baucar.
error-code-control = Kod ini mengandungi aksara kawalan tersembunyi; ia bukan kod baucar.
error-code-too-long = Kod ini terlalu panjang untuk kod baucar ({ $len } aksara; paling banyak { $max }).
error-code-not-voucher = Bukan kod baucar: kod baucar bermula dengan "rsg:".
error-code-bad-prefix = Awalan kempen "{ $prefix }" tidak sah.
error-code-no-vouchers = Kod ini tiada ID baucar.
error-code-too-many = Terlalu banyak baucar dalam satu kod ({ $count }; paling banyak { $max }).
error-code-bad-voucher = Baucar ke-{ $position } dalam kod ini tidak sah.
error-money-malformed = { $typed } bukan jumlah wang: taip seperti 1,250.00
error-money-negative = Jumlah tidak boleh negatif.
error-money-too-large = Jumlah itu terlalu besar untuk satu jualan.
error-pin-shape = PIN ini mesti mempunyai { $least } hingga 12 digit.
error-pin-common = { $pin } ialah antara PIN yang paling kerap dipilih, jadi ia diteka dahulu: pilih yang lain.
error-pin-run = PIN yang menaik atau menurun (seperti 123456) diteka dahulu: pilih yang lain.
error-pin-repeat = PIN yang berulang (seperti 111111 atau 121212) diteka dahulu: pilih yang lain.
error-pin-year = Tahun diteka dahulu: pilih PIN yang bukan tahun.
error-pin-unchanged = PIN baharu mesti berbeza daripada yang ditetapkan oleh pengurus.
error-pin-mismatch = Kedua-dua PIN tidak sama; taip PIN baharu dua kali.
error-pin-wrong = PIN itu tidak betul.
error-pin-wrong-wait = PIN itu tidak betul. Tunggu { $wait } sebelum cubaan seterusnya.
error-pin-wait = Terlalu banyak PIN salah. Cuba lagi dalam { $wait }.
error-pin-not-set = Terminal ini belum mempunyai PIN pengurus: pilih satu dan taip dua kali.
error-pin-already-set = Terminal ini sudah mempunyai PIN pengurus.
error-signed-out = Log masuk dahulu: taip ID juruwang dan PIN anda.
error-manager-locked = Skrin pengurus dikunci: masukkan PIN pengurus.
wait-one-second = 1 saat
wait-seconds = { $n } saat
wait-minutes = { $n } minit

## Juruwang dan PIN pengurus

cashiers = Juruwang
with-no-cashiers-listed-the = Tanpa senarai juruwang, terminal berjalan untuk pengguna tunggal. Setelah seorang disenaraikan, setiap juruwang log masuk dengan PIN sendiri. PIN yang anda taip di sini sah untuk satu log masuk: juruwang kemudian memilih PIN sendiri.
name = Nama
pin-again = PIN sekali lagi
add-cashier = Tambah juruwang
one-time-pin = PIN sekali guna
again = Sekali lagi
reset-pin = Set semula PIN
no-cashiers = Tiada juruwang: pengguna tunggal.
new-one-time-pin-for = PIN sekali guna baharu untuk { $name } ({ $id }):
cashier-added = { $name } ({ $id }) ditambah. Kaunter kini meminta log masuk.
cashier-pin-reset = PIN { $id } telah diset semula: PIN baharu sah untuk satu log masuk.
this-pin-was-chosen-before = PIN ini dipilih sebelum peraturan PIN terminal (6 digit atau lebih, bukan yang biasa dipilih orang). Pilih PIN baharu di bawah.
current = Semasa
new = Baharu
new-again = Baharu sekali lagi
change-pin = Tukar PIN
manager-pin-changed = PIN pengurus telah ditukar.
pin-forgotten = Terlupa? Seseorang yang boleh mengakses komputer terminal menjalankan arahan ini:
terminal-history = Sejarah terminal
older = Lebih lama

## Resit (dicetak: huruf Latin sahaja)

receipt-title = Resit
receipt-uen = UEN { $uen }
receipt-copy = SALINAN - BUKAN ASAL
receipt-sale = Jualan { $number }
receipt-terminal = Terminal { $terminal }
receipt-cashier = Juruwang { $cashier }
receipt-sale-total = Jumlah jualan (termasuk cukai)
receipt-vouchers = { $count ->
        [1] Baucar
       *[other] { $count } baucar
    }
receipt-vouchers-to-confirm = { $count ->
        [1] Baucar (belum disahkan)
       *[other] { $count } baucar (belum disahkan)
    }
receipt-transaction = Transaksi
receipt-accepted-offline = Diterima luar talian; perkhidmatan akan mengesahkannya kemudian.
receipt-vouchers-total = Baucar digunakan
receipt-and-to-confirm = dan { $count } belum disahkan
receipt-forfeited = Dilucuthakkan
receipt-balance-due = Baki perlu dibayar
receipt-number-line = Nombor resit { $number }
receipt-skus = SKU { $skus }
receipt-vouchers-used = Baucar telah digunakan dalam jualan ini.
receipt-not-refunded = Nilai baucar tidak dikembalikan: jualan yang dibatalkan hanya memulangkan bayaran dengan cara lain.
z-title = LAPORAN AKHIR HARI (Z)
z-day = Hari
z-branch = Cawangan
z-terminal = Terminal
z-printed = Dicetak
z-at-service = Di perkhidmatan (hari cawangan)
z-redemptions = { $count } penebusan
z-by-campaign = Mengikut kempen
z-by-terminal = Mengikut terminal
z-by-cashier = Mengikut juruwang
z-sales-closed = Jualan ditutup di sini
z-sale-open = Jualan { $number } masih terbuka di kaunter.
z-matched = Sepadan dengan terminal ini
z-service-only = Hanya di perkhidmatan
z-local-only = Hanya di terminal ini
z-no-findings = Tiada penemuan: hari itu sepadan.
z-findings = Penemuan untuk pengurus ({ $count }):
test-title = CETAKAN UJIAN
test-printer = Pencetak
test-paper = Kertas
test-paper-size = { $mm } mm, { $columns } aksara
test-check = Jika baris ini di tengah dan garisan sampai ke kedua-dua tepi, resit akan dicetak dengan baik.
