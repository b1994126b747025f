// The web chat: draws what the server's engine says; every choice goes back to the server.
// Text is only ever set through textContent, never parsed as HTML.
"use strict";

(() => {
  const MAX_TEXT = 1000;  // what the server accepts; longer text is refused here, before sending
  const UI = {
    vi: {
      subtitle: "Trợ lý cuộc thi trực tuyến",
      placeholder: "Nhập tin nhắn hoặc câu hỏi…",
      phonePlaceholder: "Số di động, ví dụ 0912345678",
      send: "Gửi",
      message: "Tin nhắn",
      language: "Ngôn ngữ",
      contactHint: "📱 Gửi số điện thoại: gõ số di động của bạn vào ô bên dưới rồi bấm Gửi.",
      question: (k, n) => `Câu ${k}/${n}`,
      timeLeft: "Còn",
      timeUp: "Hết giờ",
      tooLong: (n) => `Tin nhắn dài ${n} ký tự, quá giới hạn ${MAX_TEXT} ký tự. Bạn hãy rút gọn rồi gửi lại.`,
      offline: "Không kết nối được máy chủ. Vui lòng kiểm tra mạng và thử lại.",
      busy: "Có quá nhiều phiên trò chuyện mới từ mạng của bạn. Vui lòng thử lại sau ít phút.",
      failed: "Máy chủ chưa xử lý được yêu cầu. Vui lòng thử lại.",
      unavailable: "Máy chủ đang tạm thời quá tải hoặc gián đoạn. Vui lòng thử lại sau giây lát.",
      earlier: "Cuộc trò chuyện trước đó",
      reopen: "Phiên làm bài trong Telegram đã hết hạn. Hãy đóng cửa sổ này và bấm lại nút 📝 Thi ngay trong trò chuyện với bot: bài thi vẫn được giữ nguyên.",
    },
    en: {
      subtitle: "Online contest assistant",
      placeholder: "Type a message or a question…",
      phonePlaceholder: "Mobile number, e.g. 0912345678",
      send: "Send",
      message: "Message",
      language: "Language",
      contactHint: "📱 Share your phone number: type your mobile number below and press Send.",
      question: (k, n) => `Question ${k}/${n}`,
      timeLeft: "Left",
      timeUp: "Time is up",
      tooLong: (n) => `That message has ${n} characters, more than the limit of ${MAX_TEXT}. Please shorten it and send again.`,
      offline: "Cannot reach the server. Please check your connection and try again.",
      busy: "Too many new chats from your network. Please try again in a few minutes.",
      failed: "The server could not handle that. Please try again.",
      unavailable: "The server is briefly overloaded or unavailable. Please try again in a moment.",
      earlier: "Earlier in this chat",
      reopen: "This Telegram session has expired. Close this window and tap 📝 Take the quiz in the chat with the bot again: your attempt is kept as it is.",
    },
  };

  const $ = (id) => document.getElementById(id);
  const log = $("log");
  const input = $("input");
  const form = $("form");
  const sendButton = $("send");
  const progressBox = $("progress");
  const countdown = $("countdown");
  const counter = $("counter");
  const toastBox = $("toast");
  const contactHint = $("contact-hint");
  const langButtons = document.querySelectorAll("[data-lang]");

  let locale = "vi";
  let busy = false;
  let lastKeyboard = null;     // the latest bot message with buttons: a `replace` reply takes its place
  let skew = 0;                // server clock minus this browser's clock, in ms
  let deadline = null;         // ms since epoch, server time; the server enforces it, we only show it
  let resumeAction = null;     // what to ask when the countdown ends: the server says where the attempt is
  let timer = null;
  let toastTimer = null;

  const ui = () => UI[locale] || UI.vi;

  // Inside Telegram (a Mini App) the address's fragment carries initData, signed by Telegram for the
  // citizen's account; every request sends it, and the server checks it. Telegram's own script is not
  // loaded: nothing comes from another origin.
  const MINI_APP_KEY = "cds-tg-init-data";
  const launch = new URLSearchParams(window.location.hash.slice(1));
  const initData = launch.get("tgWebAppData") || sessionStorage.getItem(MINI_APP_KEY);
  if (initData) sessionStorage.setItem(MINI_APP_KEY, initData);

  // Telegram's clients listen for these events from a Mini App (as telegram-web-app.js posts them). They
  // carry nothing private, and only Telegram Web may frame this page (its Content-Security-Policy).
  function telegramEvent(type, data = {}) {
    const json = JSON.stringify(data);
    try {
      if (window.TelegramWebviewProxy) window.TelegramWebviewProxy.postEvent(type, json);
      else if (window.external && "notify" in window.external) window.external.notify(JSON.stringify({ eventType: type, eventData: data }));
      else if (window.parent !== window) window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data }), "*");
    } catch (err) { /* outside Telegram nobody listens */ }
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setLocale(next) {
    locale = UI[next] ? next : "vi";
    document.documentElement.lang = locale;
    $("subtitle").textContent = ui().subtitle;
    sendButton.textContent = ui().send;
    input.setAttribute("aria-label", ui().message);
    document.querySelector(".lang").setAttribute("aria-label", ui().language);
    langButtons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === locale)));
    setContact(contactHint.hidden === false);
    showCount();
  }

  function setBusy(on) {
    busy = on;
    document.body.classList.toggle("busy", on);
    sendButton.disabled = on;
  }

  async function call(path, body, key = null) {
    setBusy(true);
    let ok = false;
    try {
      const headers = { "Content-Type": "application/json" };
      if (initData) headers.Authorization = `tma ${initData}`;
      const response = await fetch(path, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => null);
      if (response.status === 429) {
        notice(ui().busy);
      } else if (response.status === 503) {
        notice(ui().unavailable);
      } else if (response.status === 401 && initData) {
        notice(ui().reopen);
      } else if (!response.ok || !data || !Array.isArray(data.replies)) {
        notice(ui().failed);
      } else {
        show(data, key);
        ok = true;
      }
    } catch (err) {
      notice(ui().offline);
    } finally {
      if (key && !ok) key.classList.remove("chosen");
      setBusy(false);
    }
  }

  function show(data, key) {
    setLocale(data.locale);
    if (data.title) {
      $("title").textContent = data.title;
      document.title = data.title;
    }
    const serverNow = Date.parse(data.now);
    if (!Number.isNaN(serverNow)) skew = serverNow - Date.now();
    if (Array.isArray(data.history) && data.history.length && !log.children.length) restore(data.history);
    if (data.toast) toast(data.toast);
    // What the server stored is what the page shows as chosen, never merely the key that was tapped.
    if (data.stale && key) key.classList.remove("chosen");
    if (data.chosen) markChosen(data.chosen);
    if (data.replies.length === 0) return;
    // Only the newest buttons stay on screen, so the chat reads as a conversation, not a wall of menus.
    if (data.replies.some((reply) => reply.buttons.length)) spendKeyboards();
    let progress = null;
    let contact = false;
    let first = null;
    for (const reply of data.replies) {
      const bubble = addReply(reply);
      first = first || bubble;
      if (reply.progress) progress = reply.progress;
      contact = contact || reply.request_contact;
    }
    setProgress(progress);
    setContact(contact);
    reveal(first);
  }

  function spendKeyboards() {
    log.querySelectorAll(".msg.with-keys:not(.spent)").forEach((m) => {
      m.classList.add("spent");
      m.querySelectorAll(".key").forEach((k) => { k.disabled = true; });
    });
  }

  function markChosen(action) {
    const keys = [...log.querySelectorAll(".key")].filter((k) => k.dataset.action === action);
    const key = keys[keys.length - 1];
    if (!key) return;
    key.closest(".keys").querySelectorAll(".chosen").forEach((k) => k.classList.remove("chosen"));
    key.classList.add("chosen");
  }

  // The recent conversation, as the server kept it: earlier messages, their buttons spent.
  function restore(bubbles) {
    log.append(el("p", "msg divider", ui().earlier));
    for (const bubble of bubbles) {
      if (typeof bubble.user === "string") {
        log.append(el("p", "msg user", bubble.user));
        continue;
      }
      const parts = (bubble.parts || []).map((part, i) => (i === 0 && bubble.progress ? withoutStatusLine(part, bubble.progress) : part));
      const node = addReply({ parts, buttons: bubble.buttons || [], replace: false });
      if (node.classList.contains("with-keys")) {
        node.classList.add("spent");
        node.querySelectorAll(".key").forEach((k) => {
          k.disabled = true;
          if (k.dataset.action === bubble.chosen) k.classList.add("chosen");
        });
      }
    }
    lastKeyboard = null;
  }

  function addReply(reply) {
    const kind = reply.progress ? " question" : "";
    const bubble = el("article", `msg bot${kind}${reply.buttons.length ? " with-keys" : ""}`);
    reply.parts.forEach((part, i) => {
      bubble.append(el("p", "part", i === 0 && reply.progress ? withoutStatusLine(part, reply.progress) : part));
    });
    if (reply.buttons.length) bubble.append(keyboard(reply.buttons));
    if (reply.replace && lastKeyboard && lastKeyboard.isConnected) lastKeyboard.remove();
    log.append(bubble);
    if (reply.buttons.length) lastKeyboard = bubble;
    else if (reply.replace) lastKeyboard = null;
    return bubble;
  }

  // The strip above shows "question k of n" and a live countdown, so a first line that says
  // "k/n" (with a time that would only go stale) is left out of the bubble.
  function withoutStatusLine(text, progress) {
    const cut = text.indexOf("\n");
    if (cut < 0 || !text.slice(0, cut).includes(`${progress.position}/${progress.total}`)) return text;
    return text.slice(cut + 1).replace(/^\s*\n/, "");
  }

  // Rows of one-letter options (A B C / D) become one row of four large keys on a phone.
  function arrange(rows) {
    const short = (row) => row.length > 0 && row.every((b) => b.label.length <= 2);
    const out = [];
    let letters = [];
    for (const row of rows) {
      if (short(row)) { letters.push(...row); continue; }
      for (let i = 0; i < letters.length; i += 4) out.push(letters.slice(i, i + 4));
      letters = [];
      out.push(row);
    }
    for (let i = 0; i < letters.length; i += 4) out.push(letters.slice(i, i + 4));
    return out;
  }

  // Handing in, and deleting one's data, end something: they look different and sit apart.
  function keyKind(action) {
    if (action.startsWith("fin:")) return " handin";
    if (action === "d:erase!") return " danger";
    return "";
  }

  function keyboard(rows) {
    const keys = el("div", "keys");
    for (const row of arrange(rows)) {
      const line = el("div", "row");
      for (const button of row) {
        const key = el("button", `key${keyKind(button.action)}`, button.label);
        key.type = "button";
        key.dataset.action = button.action;
        key.addEventListener("click", () => press(button.action, key));
        line.append(key);
      }
      if (row.some((b) => b.action.startsWith("fin:"))) line.classList.add("apart");
      keys.append(line);
    }
    return keys;
  }

  function notice(text) {
    clearTimeout(toastTimer);  // an earlier "saved" must not stand beside a failure
    toastBox.hidden = true;
    log.append(el("p", "msg notice", text));
    reveal(log.lastElementChild);
  }

  // Show the newest messages from their start, so a long question is read from its first line.
  function reveal(first) {
    const bottom = log.scrollHeight - log.clientHeight;
    log.scrollTop = Math.max(0, Math.min(bottom, first.offsetTop - log.offsetTop - 12));
  }

  function toast(text) {
    toastBox.textContent = text;
    toastBox.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { toastBox.hidden = true; }, 2500);
  }

  function setContact(on) {
    contactHint.hidden = !on;
    contactHint.textContent = ui().contactHint;
    input.type = on ? "tel" : "text";
    input.inputMode = on ? "tel" : "text";
    input.placeholder = on ? ui().phonePlaceholder : ui().placeholder;
  }

  function setProgress(progress) {
    clearInterval(timer);
    if (!progress) {
      progressBox.hidden = true;
      deadline = null;
      resumeAction = null;
      return;
    }
    progressBox.hidden = false;
    $("position").textContent = ui().question(progress.position, progress.total);
    $("bar").style.width = `${(100 * (progress.position - 1)) / progress.total}%`;
    deadline = Date.parse(progress.deadline);
    resumeAction = progress.resume || null;
    tick();
    timer = setInterval(tick, 1000);
  }

  function tick() {
    if (deadline === null) return;
    const left = deadline - (Date.now() + skew);
    countdown.classList.toggle("low", left < 60_000);
    if (left > 0) {
      const s = Math.floor(left / 1000);
      const mm = String(Math.floor(s / 60)).padStart(2, "0");
      const ss = String(s % 60).padStart(2, "0");
      countdown.textContent = `⏱ ${ui().timeLeft} ${mm}:${ss}`;
      return;
    }
    countdown.textContent = `⏱ ${ui().timeUp}`;
    clearInterval(timer);
    deadline = null;
    // The server closed the attempt at its deadline; asking where it stands shows the result and says why.
    if (resumeAction) setTimeout(askWhereItStands, busy ? 800 : 300);
  }

  function askWhereItStands() {
    if (busy) { setTimeout(askWhereItStands, 500); return; }
    const action = resumeAction;
    resumeAction = null;
    if (action) call("/api/chat/send", { action });
  }

  function press(action, key) {
    if (busy) return;
    if (key) {
      key.closest(".keys").querySelectorAll(".chosen").forEach((k) => k.classList.remove("chosen"));
      key.classList.add("chosen");
    }
    call("/api/chat/send", { action }, key);
  }

  function showCount() {
    const n = input.value.length;
    counter.hidden = n < MAX_TEXT * 0.8;
    counter.textContent = `${n}/${MAX_TEXT}`;
    counter.classList.toggle("over", n > MAX_TEXT);
  }

  input.addEventListener("input", showCount);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || busy) return;
    if (text.length > MAX_TEXT) {  // nothing is cut silently: the citizen shortens it themselves
      notice(ui().tooLong(text.length));
      return;
    }
    log.append(el("p", "msg user", text));
    input.value = "";
    showCount();
    call("/api/chat/send", { text });
  });

  langButtons.forEach((b) => b.addEventListener("click", () => {
    if (b.dataset.lang !== locale) press(`l:${b.dataset.lang}`, null);
  }));

  const params = new URLSearchParams(window.location.search);
  const payload = (params.get("start") || "").slice(0, 64);
  setLocale("vi");
  if (!initData) {
    call("/api/chat/start", payload ? { payload } : {});
  } else {
    telegramEvent("web_app_ready");
    telegramEvent("web_app_expand");
    // Opened by "📝 Thi ngay": straight to the attempt (the one open, or a new one). A reload of the same
    // window only shows where the citizen is, so it never starts another attempt by itself.
    const opened = sessionStorage.getItem(`${MINI_APP_KEY}:opened`) === initData;
    sessionStorage.setItem(`${MINI_APP_KEY}:opened`, initData);
    call(opened ? "/api/chat/start" : "/api/chat/send", opened ? {} : { action: "m:play" });
  }
})();
