// Small progressive enhancement only; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
});
