// A page that answers a POST (one showing a secret) names its own address: a reload then asks for
// that page again instead of posting the form a second time (which would issue another secret).
const canonical = document.querySelector("main[data-canonical]");
if (canonical) history.replaceState(null, "", canonical.dataset.canonical);

// Copy buttons: data-copy="<id of an input>" or data-copy-text="<text>". No inline scripts (the CSP forbids them).
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy], [data-copy-text]");
  if (!button) return;
  const source = button.dataset.copy ? document.getElementById(button.dataset.copy) : null;
  const text = source ? source.value : button.dataset.copyText;
  try {
    await navigator.clipboard.writeText(text);
  } catch (error) {
    // No clipboard access (an http page on another host): select the text for Ctrl+C instead.
    if (source) source.select();
    return;
  }
  const note = button.parentElement.querySelector(".copied");
  if (note) note.hidden = false;
  button.textContent = "Copied";
});
