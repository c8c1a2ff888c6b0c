// The code card's Print button: the browser's print dialog (the CSP allows no inline script).
document.getElementById("print-card")?.addEventListener("click", () => window.print());
