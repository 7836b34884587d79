/* HR 坐席台: live regions over Server-Sent Events, canned replies, small comforts.
 *
 * An element with data-live="<url>" and data-event="<name>" subscribes to that event stream.
 * Events carry HTML the server rendered (and escaped); it is parsed with DOMParser, which never
 * runs scripts, and swapped in. The page's CSP forbids inline code anyway. Text typed into a
 * swapped region is kept. */
(function () {
  "use strict";

  var baseTitle = document.title;

  function swap(target, html) {
    if (!target) { return; }
    var kept = {};
    target.querySelectorAll("textarea[id], input[id]:not([type=hidden])").forEach(function (field) {
      kept[field.id] = field.value;
    });
    var parsed = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html");
    target.replaceChildren.apply(target, Array.prototype.slice.call(parsed.body.childNodes));
    Object.keys(kept).forEach(function (id) {
      var field = document.getElementById(id);
      if (field && target.contains(field)) { field.value = kept[id]; }
    });
  }

  function banner(show) {
    var node = document.getElementById("live-banner");
    if (node) { node.hidden = !show; }
  }

  var handlers = {
    inbox: function (data) {
      swap(document.getElementById("inbox"), data.html);
      var count = document.getElementById("inbox-count");
      if (count) { count.textContent = String(data.count); }
      document.title = (data.count ? "(" + data.count + ") " : "") + baseTitle;
    },
    conversation: function (data) {
      var transcript = document.getElementById("transcript");
      var atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
      swap(transcript, data.transcript);
      swap(document.getElementById("status"), data.status);
      var panel = document.getElementById("reply-panel");
      if (panel) { panel.hidden = !data.mine; }
      if (atBottom) { window.scrollTo(0, document.body.scrollHeight); }
    }
  };

  function subscribe(region) {
    var name = region.getAttribute("data-event");
    var source = new EventSource(region.getAttribute("data-live"));
    source.addEventListener("open", function () { banner(false); });
    source.addEventListener(name, function (event) {
      banner(false);
      handlers[name](JSON.parse(event.data));
    });
    source.addEventListener("logout", function () { source.close(); window.location.reload(); });
    source.addEventListener("error", function () {
      banner(true);
      if (source.readyState === EventSource.CLOSED) {  // refused (e.g. logged out): start over
        window.setTimeout(function () { window.location.reload(); }, 3000);
      }
    });
  }

  function cannedReplies() {
    var box = document.getElementById("reply-text");
    document.querySelectorAll("button.canned").forEach(function (button) {
      button.addEventListener("click", function () {
        var text = button.getAttribute("data-reply") || "";
        box.value = box.value.trim() ? box.value.replace(/\s+$/, "") + "\n" + text : text;
        box.focus();
      });
    });
    var filter = document.getElementById("canned-filter");
    if (filter) {
      filter.addEventListener("input", function () {
        var wanted = filter.value.trim();
        document.querySelectorAll("button.canned").forEach(function (button) {
          button.hidden = wanted !== "" && (button.getAttribute("data-reply") || "").indexOf(wanted) < 0;
        });
      });
    }
  }

  function oneSubmitPerForm() {
    document.querySelectorAll("form[method=post]").forEach(function (form) {
      form.addEventListener("submit", function () {
        window.setTimeout(function () {
          form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = true; });
        }, 0);
      });
    });
    var box = document.getElementById("reply-text");
    if (box) {
      box.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.isComposing) {
          event.preventDefault();
          box.form.requestSubmit();
        }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-live]").forEach(subscribe);
    cannedReplies();
    oneSubmitPerForm();
  });
})();
