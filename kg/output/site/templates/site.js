// A copy button beside each citation; the citations stay plain, selectable text without it.
"use strict";
document.querySelectorAll(".cite pre").forEach(function (pre) {
  var button = document.createElement("button");
  var name = pre.parentNode.querySelector("h3").textContent;
  button.type = "button";
  button.textContent = "Copy";
  button.setAttribute("aria-label", "Copy " + name);
  button.addEventListener("click", function () {
    var done = function () { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy"; }, 1500); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(pre.textContent).then(done, function () { select(pre); });
    } else {
      select(pre);
    }
  });
  pre.parentNode.insertBefore(button, pre.nextSibling);
});
function select(node) {
  var range = document.createRange();
  range.selectNodeContents(node);
  var sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
}
