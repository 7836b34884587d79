/*
 * hrbot web chat. Plain JavaScript, no build step, nothing loaded from elsewhere.
 *
 * Identity: in the demo ("trust" mode) the person types the employee id they try the bot as;
 * otherwise ("token" mode) the company portal opens this page with #token=<jwt>, which is moved
 * to sessionStorage at once (and out of the address bar) and sent only as a Bearer header.
 *
 * The conversation lives on the server, so the page shows what GET webchat/history returns and
 * survives reloads and server restarts. What the person typed waits in an outbox (sessionStorage)
 * until the server has answered it: while the server is away it is marked unsent, with a retry
 * button, and sent again by itself once the server is back. Each message carries an id, so a
 * message the server got before the connection broke is recognised in the history and not sent
 * twice.
 *
 * Message content is only ever put into the page as text (textContent), never as HTML.
 */
(function () {
  "use strict";

  var KEYS = {
    sender: "hrbot.webchat.sender",
    token: "hrbot.webchat.token",
    outbox: "hrbot.webchat.outbox:"
  };
  var RECONNECT_DELAYS_MS = [500, 1000, 2000, 3000, 5000];
  var POLL_MS = 4000;      // how often an idle page looks for messages it did not ask for (an HR agent's)
  var NETWORK_TROUBLE = [0, 502, 503, 504];

  var ui = {};
  var state = {
    mode: null,            // "trust" | "token"
    maxChars: 5000,
    sender: null,          // trust mode: the employee id typed in
    token: null,           // token mode: the portal's JWT
    owner: null,           // whose conversation is shown (the server says so)
    outbox: [],            // [{id, text, shown, status: "queued"|"unsent"|"failed", tried, autoRetry, reason}]
    nodes: new Map(),      // outbox id -> its bubble
    busy: false,           // a request for the outbox is under way
    online: true,
    ready: false,          // the history is shown and the composer may send
    reconnectAttempt: 0,
    reconnectTimer: null,
    checking: false,       // a reconnection check is under way
    shown: "",             // what the last history shown ends with (to notice new messages)
    composing: false
  };

  // ---------------------------------------------------------------- storage (may be unavailable)

  function load(key) {
    try { return window.sessionStorage.getItem(key); } catch (e) { return null; }
  }
  function save(key, value) {
    try {
      if (value === null) { window.sessionStorage.removeItem(key); }
      else { window.sessionStorage.setItem(key, value); }
    } catch (e) { /* private mode: the page still works, it just forgets on reload */ }
  }
  function loadOutbox(owner) {
    try {
      var items = JSON.parse(load(KEYS.outbox + owner) || "[]");
      return Array.isArray(items) ? items.filter(function (item) {
        return item && typeof item.id === "string" && typeof item.text === "string";
      }) : [];
    } catch (e) { return []; }
  }
  function saveOutbox() {
    if (state.owner === null) { return; }
    var items = state.outbox.map(function (item) {
      return { id: item.id, text: item.text, shown: item.shown, tried: item.tried };
    });
    save(KEYS.outbox + state.owner, items.length ? JSON.stringify(items) : null);
  }

  function newId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  // ------------------------------------------------------------------------------- talking to hrbot

  function authHeaders() {
    var headers = { "Accept": "application/json" };
    if (state.mode === "token" && state.token) { headers["Authorization"] = "Bearer " + state.token; }
    return headers;
  }

  /** fetch + JSON; {status: 0} when the server cannot be reached. Never throws. */
  async function call(url, options) {
    var response;
    try {
      response = await fetch(url, Object.assign({ cache: "no-store", credentials: "same-origin" }, options));
    } catch (e) {
      return { status: 0, ok: false, body: null };
    }
    var body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    return { status: response.status, ok: response.ok, body: body };
  }

  function historyUrl() {
    return "webchat/history" + (state.mode === "trust" ? "?sender=" + encodeURIComponent(state.sender) : "");
  }

  function postMessage(item) {
    var body = { message: item.text, message_id: item.id };
    if (state.mode === "trust") { body.sender = state.sender; }
    var headers = authHeaders();
    headers["Content-Type"] = "application/json";
    return call("webhooks/rest/webhook", { method: "POST", headers: headers, body: JSON.stringify(body) });
  }

  function serverMessage(result) {
    return result.body && typeof result.body.message === "string" ? result.body.message : "HTTP " + result.status;
  }

  // ------------------------------------------------------------------------------------ rendering

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (typeof text === "string") { node.textContent = text; }
    return node;
  }

  function scrollToEnd() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function isWebUrl(value) {
    return typeof value === "string" && /^(https?:\/\/|\/)/i.test(value);
  }

  function userMessage(text) {
    var wrap = element("div", "msg user");
    wrap.appendChild(element("div", "bubble", text));
    return wrap;
  }

  /** One bot message as the webhook (and the history) sends it; null if nothing is shown. */
  function botMessage(message) {
    if (!message || typeof message !== "object") { return null; }
    var wrap = element("div", "msg bot");
    if (typeof message.text === "string" && message.text !== "") {
      wrap.appendChild(element("div", "bubble", message.text));
    }
    if (isWebUrl(message.image)) {
      var image = element("img");
      image.alt = "图片";
      image.src = message.image;
      wrap.appendChild(image);
    }
    if (isWebUrl(message.attachment)) {
      var link = element("a", "bubble", "查看附件");
      link.href = message.attachment;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      wrap.appendChild(link);
    }
    if (Array.isArray(message.buttons)) {
      var row = element("div", "buttons");
      message.buttons.forEach(function (button) {
        if (!button || typeof button.title !== "string" || typeof button.payload !== "string") { return; }
        var node = element("button", null, button.title);
        node.type = "button";
        node.dataset.payload = button.payload;
        row.appendChild(node);
      });
      if (row.childElementCount) { wrap.appendChild(row); }
    }
    return wrap.childElementCount ? wrap : null;
  }

  /** Buttons can be used only in the bot's messages since the user last said something. */
  function refreshButtons() {
    var afterUser = false;
    var children = ui.log.children;
    for (var i = children.length - 1; i >= 0; i--) {
      var child = children[i];
      if (child.classList.contains("user")) { afterUser = true; continue; }
      var buttons = child.querySelectorAll(".buttons button");
      for (var j = 0; j < buttons.length; j++) {
        buttons[j].disabled = afterUser || !state.ready;
      }
    }
  }

  function markChosen(bubble, title) {
    var previous = bubble.previousElementSibling;
    while (previous && previous.classList.contains("bot")) {
      var buttons = previous.querySelectorAll(".buttons button");
      for (var i = 0; i < buttons.length; i++) {
        if (buttons[i].textContent === title) { buttons[i].classList.add("chosen"); return; }
      }
      previous = previous.previousElementSibling;
    }
  }

  function showItemState(item) {
    var node = state.nodes.get(item.id);
    if (!node) { return; }
    var old = node.querySelector(".state");
    if (old) { old.remove(); }
    node.classList.toggle("unsent", item.status !== "queued");
    var line = element("div", "state");
    if (item.status === "queued") {
      line.textContent = state.online ? "发送中…" : "等待连接…";
    } else {
      var words = item.status === "failed" ? "发送失败：" + item.reason
        : "未发送" + (item.autoRetry ? "，连接恢复后会自动重发" : "");
      line.appendChild(element("span", null, words));
      var retry = element("button", "retry", "重试");
      retry.type = "button";
      retry.addEventListener("click", function () { retryItem(item); });
      line.appendChild(retry);
    }
    node.appendChild(line);
  }

  function addPending(item) {
    var node = userMessage(item.shown);
    node.dataset.id = item.id;
    state.nodes.set(item.id, node);
    ui.log.appendChild(node);
    showItemState(item);
  }

  function renderConversation(history) {
    ui.log.textContent = "";
    state.nodes.clear();
    if (history.truncated) {
      ui.log.appendChild(element("p", "state", "（只显示最近的消息）"));
    }
    history.messages.forEach(function (message) {
      if (message.role === "user" && typeof message.text === "string") {
        var node = userMessage(message.text);
        ui.log.appendChild(node);
        markChosen(node, message.text);
      } else if (message.role === "bot") {
        var bot = botMessage(message);
        if (bot) { ui.log.appendChild(bot); }
      }
    });
    state.outbox.forEach(addPending);
    refreshButtons();
    scrollToEnd();
  }

  function showTyping(on) {
    ui.typing.hidden = !on;
    if (on) { scrollToEnd(); }
  }

  var bannerTimer = null;
  function showBanner(text, ok) {
    window.clearTimeout(bannerTimer);
    ui.banner.textContent = text || "";
    ui.banner.hidden = !text;
    ui.banner.classList.toggle("ok", Boolean(ok));
    if (ok) { bannerTimer = window.setTimeout(function () { ui.banner.hidden = true; }, 3000); }
  }

  function showNotice(text) {
    ui.notice.textContent = text || "";
    ui.notice.hidden = !text;
  }

  function setReady(ready) {
    state.ready = ready;
    ui.input.disabled = !ready;
    ui.send.disabled = !ready;
    refreshButtons();
  }

  function showWho() {
    ui.who.hidden = state.owner === null;
    ui.whoLabel.textContent = state.mode === "trust" ? "体验身份：" + state.owner : "当前用户：" + state.owner;
    ui.switchButton.hidden = state.mode !== "trust";
  }

  // ------------------------------------------------------------------------------ the conversation

  /** Show the conversation as the server has it, plus what is still waiting to be sent.
   *  Returns the history, or null (and says why) when it could not be read. */
  async function reloadConversation() {
    var result = await call(historyUrl(), { headers: authHeaders() });
    if (result.ok && result.body && Array.isArray(result.body.messages)) {
      var history = result.body;
      if (state.owner !== history.sender) {
        state.owner = history.sender;
        state.outbox = loadOutbox(state.owner).map(function (item) {
          return { id: item.id, text: item.text, shown: typeof item.shown === "string" ? item.shown : item.text,
                   status: "unsent", tried: Boolean(item.tried), autoRetry: false, reason: "" };
        });
      }
      var arrived = new Set();
      history.messages.forEach(function (message) {
        if (message.role === "user" && message.message_id) { arrived.add(message.message_id); }
      });
      state.outbox = state.outbox.filter(function (item) { return !arrived.has(item.id); });
      saveOutbox();
      showWho();
      state.shown = historyMark(history);
      renderConversation(history);
      return history;
    }
    refused(result, null);
    return null;
  }

  function historyMark(history) {
    var messages = history.messages;
    return messages.length + ":" + JSON.stringify(messages[messages.length - 1] || null);
  }

  /** Messages can arrive without being asked for: an HR agent who took the conversation over
   *  answers through the server. An idle, visible page looks for them now and then. */
  async function poll() {
    if (document.hidden || !state.online || !state.ready || state.busy || state.checking
        || state.outbox.length || state.composing) { return; }
    var result = await call(historyUrl(), { headers: authHeaders() });
    if (!result.ok || !result.body || !Array.isArray(result.body.messages)) { return; }
    if (state.busy || state.outbox.length) { return; }    // a send started meanwhile: it shows its own
    var mark = historyMark(result.body);
    if (mark !== state.shown) {
      state.shown = mark;
      renderConversation(result.body);
    }
  }

  /** Say why the server turned a request down; `item` is the message concerned, if any. */
  function refused(result, item) {
    if (NETWORK_TROUBLE.indexOf(result.status) >= 0) {
      if (item) { item.status = "unsent"; item.autoRetry = true; }
      goOffline();
      return;
    }
    var reason;
    if (result.status === 401 || result.status === 403) {
      if (state.mode === "token") {
        reason = "登录凭证无效或已过期";
        showNotice("登录凭证无效或已过期，请从公司门户重新打开本页面。");
      } else {
        reason = "没有权限（" + serverMessage(result) + "）";
      }
    } else if (result.status === 400 && !item && state.mode === "trust") {
      askIdentity("这个工号不能用：" + serverMessage(result));
      return;
    } else if (result.status === 409) {
      reason = "机器人暂时不能对话（" + serverMessage(result) + "）";
      if (!item) { showNotice("机器人暂时不能对话：" + serverMessage(result)); }
    } else if (result.status === 413 || result.status === 400) {
      reason = "服务器拒收这条消息（" + serverMessage(result) + "）";
    } else {
      reason = "服务器出错（" + serverMessage(result) + "），请稍后重试";
    }
    if (item) { item.status = "failed"; item.reason = reason; }
    else if (ui.notice.hidden) { showNotice("无法读取对话记录：" + reason); }
  }

  /** Send the queued messages one at a time, in order; the bot's replies go right after the
   *  message they answer. */
  async function pump() {
    if (state.busy) { return; }
    state.busy = true;
    try {
      for (;;) {
        if (!state.online || !state.ready) { return; }
        var item = state.outbox.find(function (candidate) { return candidate.status === "queued"; });
        if (!item) { return; }
        showTyping(true);
        if (item.tried) {
          // the server may have got it before the connection broke: then it is in the history,
          // with its replies, and must not be sent twice
          if (!await reloadConversation()) { return; }
          if (state.outbox.indexOf(item) < 0) { continue; }
        }
        item.tried = true;
        saveOutbox();
        var result = await postMessage(item);
        if (result.ok) {
          delivered(item, Array.isArray(result.body) ? result.body : []);
        } else {
          refused(result, item);
          showItemState(item);
        }
      }
    } finally {
      state.busy = false;
      showTyping(false);
    }
  }

  function delivered(item, replies) {
    state.outbox.splice(state.outbox.indexOf(item), 1);
    saveOutbox();
    var node = state.nodes.get(item.id);
    state.nodes.delete(item.id);
    if (!node) { return; }
    node.classList.remove("unsent");
    var line = node.querySelector(".state");
    if (line) { line.remove(); }
    var after = node;
    replies.forEach(function (reply) {
      var bot = botMessage(reply);
      if (bot) { after.after(bot); after = bot; }
    });
    refreshButtons();
    scrollToEnd();
  }

  function send(text, shown) {
    var item = { id: newId(), text: text, shown: shown, status: "queued", tried: false, autoRetry: false, reason: "" };
    state.outbox.push(item);
    saveOutbox();
    addPending(item);
    refreshButtons();
    scrollToEnd();
    pump();
  }

  function retryItem(item) {
    item.status = "queued";
    item.reason = "";
    showItemState(item);
    if (state.online) { pump(); } else { checkConnection(); }
  }

  // --------------------------------------------------------------------------------- reconnecting

  function goOffline() {
    state.online = false;
    state.outbox.forEach(function (item) {
      if (item.status === "queued") { item.status = "unsent"; item.autoRetry = true; }
      showItemState(item);
    });
    showBanner("与服务器的连接断开了，正在重新连接…未发出的消息会在连接恢复后自动重发。");
    scheduleReconnect();
  }

  function scheduleReconnect() {
    window.clearTimeout(state.reconnectTimer);
    var delay = RECONNECT_DELAYS_MS[Math.min(state.reconnectAttempt, RECONNECT_DELAYS_MS.length - 1)];
    state.reconnectAttempt += 1;
    state.reconnectTimer = window.setTimeout(checkConnection, delay);
  }

  async function checkConnection() {
    if (state.checking) { return; }
    window.clearTimeout(state.reconnectTimer);
    state.checking = true;
    var result = await call("webchat/config", {});
    if (!result.ok) { state.checking = false; scheduleReconnect(); return; }
    state.reconnectAttempt = 0;
    state.online = true;
    if (!canStart()) { state.checking = false; showBanner(""); return; }
    var history = await reloadConversation();
    state.checking = false;
    if (!history) { return; }    // still unreachable: reloadConversation went offline again
    showBanner("已重新连接。", true);
    setReady(true);
    state.outbox.forEach(function (item) {
      if (item.autoRetry) { item.status = "queued"; item.autoRetry = false; }
      showItemState(item);
    });
    pump();
  }

  // ---------------------------------------------------------------------------------- identity

  function takeTokenFromFragment() {
    var fragment = window.location.hash.replace(/^#/, "");
    if (!fragment) { return; }
    var params = new URLSearchParams(fragment);
    var token = params.get("token");
    if (token === null) { return; }
    params.delete("token");
    if (token) { save(KEYS.token, token); }
    var rest = params.toString();
    // the token must not stay in the address bar, the history or a bookmark
    window.history.replaceState(null, "", window.location.pathname + window.location.search + (rest ? "#" + rest : ""));
  }

  function canStart() {
    if (state.mode === "trust") { return Boolean(state.sender); }
    return Boolean(state.token);
  }

  function askIdentity(error) {
    setReady(false);
    state.sender = null;
    state.owner = null;
    state.outbox = [];
    save(KEYS.sender, null);
    ui.log.textContent = "";
    ui.who.hidden = true;
    ui.identity.hidden = false;
    ui.identityError.textContent = error || "";
    ui.identityError.hidden = !error;
    ui.identityInput.focus();
  }

  async function start() {
    showNotice("");
    var history = await reloadConversation();
    if (history) {
      setReady(true);
      ui.input.focus();
    }
  }

  // -------------------------------------------------------------------------------- the composer

  function autoGrow() {
    ui.input.style.height = "auto";
    ui.input.style.height = Math.min(ui.input.scrollHeight + 2, 160) + "px";
  }

  function submitTyped() {
    if (!state.ready) { return; }
    var text = ui.input.value;
    if (!text.trim()) { return; }
    var length = Array.from(text).length;
    if (length > state.maxChars) {
      ui.limit.textContent = "消息太长了：最多 " + state.maxChars + " 个字，现在是 " + length + " 个字。";
      ui.limit.hidden = false;
      return;
    }
    ui.limit.hidden = true;
    ui.input.value = "";
    autoGrow();
    send(text, text);
  }

  function wire() {
    ["log", "typing", "input", "send", "composer", "banner", "identity", "notice", "limit", "who"].forEach(function (id) {
      ui[id] = document.getElementById(id);
    });
    ui.whoLabel = document.getElementById("who-label");
    ui.switchButton = document.getElementById("switch");
    ui.identityInput = document.getElementById("identity-input");
    ui.identityError = document.getElementById("identity-error");

    ui.input.addEventListener("compositionstart", function () { state.composing = true; });
    ui.input.addEventListener("compositionend", function () { state.composing = false; });
    ui.input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.shiftKey || event.altKey) { return; }
      // Enter that picks a candidate in an input method (拼音, 五笔, ...) must not send;
      // Safari ends the composition before this keydown, but still reports key code 229
      if (event.isComposing || state.composing || event.keyCode === 229) { return; }
      event.preventDefault();
      submitTyped();
    });
    ui.input.addEventListener("input", autoGrow);
    ui.composer.addEventListener("submit", function (event) {
      event.preventDefault();
      submitTyped();
    });

    ui.log.addEventListener("click", function (event) {
      var button = event.target.closest(".buttons button");
      if (!button || button.disabled || !state.ready) { return; }
      button.classList.add("chosen");
      send(button.dataset.payload, button.textContent);
    });

    ui.identity.addEventListener("submit", function (event) {
      event.preventDefault();
      var sender = ui.identityInput.value.trim();
      if (!sender) { return; }
      state.sender = sender;
      save(KEYS.sender, sender);
      ui.identity.hidden = true;
      start();
    });
    ui.switchButton.addEventListener("click", function () {
      ui.identityInput.value = "";
      askIdentity("");
    });
    window.addEventListener("online", function () { if (!state.online) { checkConnection(); } });
    window.setInterval(poll, POLL_MS);
    window.addEventListener("hashchange", function () {
      // the portal sent this tab a new token: start again with it
      if (/(^#|&)token=/.test(window.location.hash)) { takeTokenFromFragment(); window.location.reload(); }
    });
  }

  async function boot() {
    takeTokenFromFragment();
    wire();
    var config = await call("webchat/config", {});
    while (!config.ok) {
      showBanner("连接不上服务器，正在重试…");
      await new Promise(function (resolve) { window.setTimeout(resolve, 2000); });
      config = await call("webchat/config", {});
    }
    showBanner("");
    state.mode = config.body.mode === "token" ? "token" : "trust";
    state.maxChars = Number(config.body.max_message_chars) || state.maxChars;
    if (state.mode === "trust") {
      state.sender = load(KEYS.sender);
      if (!state.sender) { askIdentity(""); return; }
    } else {
      state.token = load(KEYS.token);
      if (!state.token) {
        showNotice("缺少登录凭证：请从公司门户打开本页面。");
        return;
      }
    }
    start();
  }

  boot();
})();
