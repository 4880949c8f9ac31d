document.getElementById("app")!.textContent = "Voucher POS";
