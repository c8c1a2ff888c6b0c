// The Print buttons (the code card, the device return form): the browser's print dialog (the CSP
// allows no inline script).
for (const id of ["print-card", "print-return-form"]) {
  document.getElementById(id)?.addEventListener("click", () => window.print());
}
