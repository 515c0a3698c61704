// The public complaint form's estate search (templates/complaints/public_form.html): 查找 asks
// /complaints/new/estates/ for the matching estates and fills the 小区 select in place, so the page
// is not reloaded and nothing typed or chosen (photos included) is lost. Without JavaScript the
// button posts the form with `search`, and the server shows it again with everything kept.
(function () {
  "use strict";
  var form = document.querySelector("form[data-estate-search-url]");
  if (!form || !form.elements.q) { return; }
  var select = form.querySelector("select[name=estate]");
  var result = form.querySelector("[data-estate-search-result]");
  var timer = null;

  function say(text, ok) {
    result.textContent = "";
    var span = document.createElement("span");
    span.className = ok ? "text-success" : "text-danger";
    span.textContent = text;
    result.appendChild(span);
  }

  function search() {
    var q = form.elements.q.value.trim();
    var town = form.elements.town.value;
    if (!q && !town) { say("请输入小区名称中的字，或选择镇/街道。", false); return; }
    var url = form.getAttribute("data-estate-search-url") + "?" + new URLSearchParams({ q: q, town: town }).toString();
    say("正在查找…", true);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        var chosen = select.value;
        while (select.options.length > 1) { select.remove(1); }
        data.estates.forEach(function (estate) {
          var option = new Option(estate.label, String(estate.id));
          select.add(option);
        });
        if (data.estates.some(function (e) { return String(e.id) === chosen; })) {
          select.value = chosen;
        } else if (data.estates.length === 1) {
          select.value = String(data.estates[0].id);
        } else {
          select.value = "";
        }
        if (data.count) {
          say("找到 " + data.count + " 个小区，请在下方选择。", true);
        } else {
          say("没有找到匹配的小区，请换个关键词。", false);
        }
      })
      .catch(function () { say("查找失败，请稍后再试。", false); });
  }

  // Enter in another box (name, phone…) makes the browser submit with the form's first button,
  // which is 查找: remember the key so that submit sends the complaint, as the resident meant.
  var enterElsewhere = false;
  form.addEventListener("keydown", function (event) {
    var target = event.target;
    enterElsewhere = event.key === "Enter" && target.tagName === "INPUT" && target !== form.elements.q;
  });

  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.name === "search") {
      event.preventDefault();
      var send = form.querySelector("[data-testid=complaint-submit]");
      if (enterElsewhere && send) {
        enterElsewhere = false;
        // a submission asked for inside a submit event is ignored by the browser: ask right after it
        setTimeout(function () { form.requestSubmit(send); }, 0);
        return;
      }
      search();
    }
  });
  // Enter in the name box searches (and does not send the complaint)
  form.elements.q.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); search(); }
  });
  form.elements.q.addEventListener("input", function () {
    clearTimeout(timer);
    if (form.elements.q.value.trim().length >= 2) { timer = setTimeout(search, 400); }
  });
  form.elements.town.addEventListener("change", search);
})();
