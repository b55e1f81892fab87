// The print view's "Print" button (part of Formflow, MIT): no inline handlers under the CSP.
for (const button of document.querySelectorAll('[data-action="print"]')) {
  button.addEventListener("click", () => window.print());
}
