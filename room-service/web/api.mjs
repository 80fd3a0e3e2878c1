// The room service's HTTP API and the member's WebSocket, as the page uses them.

/** A refusal or failure from the service, with its status and the service's error code. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Calls the API: `path` under `/api`, JSON in and out, the member's bearer token if given. */
export async function call(method, path, { member = null, body = undefined } = {}) {
  const headers = {};
  if (member) headers.authorization = `Bearer ${member.member}.${member.secret}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, 'network', String(error));
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: reported below with the status.
  }
  if (!response.ok) {
    const error = json?.error;
    throw new ApiError(response.status, error?.code ?? 'http', error?.message ?? text);
  }
  return json;
}

const memberKey = (room) => `ktv.member.${room}`;

/** This device's membership of `room` (`{member, secret, name, token}`), if it joined. */
export function savedMember(room) {
  try {
    return JSON.parse(localStorage.getItem(memberKey(room)) ?? 'null');
  } catch {
    return null;
  }
}

export function saveMember(room, member) {
  localStorage.setItem(memberKey(room), JSON.stringify(member));
}

export function forgetMember(room) {
  localStorage.removeItem(memberKey(room));
}

/**
 * The link that lets someone join `room`: on the service's HTTPS address if it has one
 * (`httpsUrl`), so a phone that scans it can sing; a TV view stays where this page is.
 */
export function joinLink(room, token, view = null, httpsUrl = null) {
  const base = view === 'tv' || !httpsUrl ? location.href : httpsUrl;
  const url = new URL('/', base);
  url.searchParams.set('room', room);
  url.searchParams.set('token', token);
  if (view) url.searchParams.set('view', view);
  return url.href;
}

/**
 * The member's WebSocket: the room's state after every change, the singer's sync messages and
 * scoring events. Reconnects with backoff; the first message after a (re)connect is the whole
 * room, so nothing is missed for long.
 */
export class RoomSocket {
  /** `audio`: the singer's stream wanted, `voice` (to mix with our own copy of the song) or
   *  `mix` (the room's sound, for a thin client). */
  constructor(room, member, audio, handlers) {
    this.room = room;
    this.member = member;
    this.audio = audio;
    this.handlers = handlers;
    this.socket = null;
    this.closed = false;
    this.backoff = 250;
    this.open();
  }

  open() {
    const url = new URL(`/api/rooms/${encodeURIComponent(this.room)}/ws`, location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('member', String(this.member.member));
    url.searchParams.set('secret', this.member.secret);
    url.searchParams.set('audio', this.audio);
    const socket = new WebSocket(url);
    // Sync messages come as JSON (this page speaks it); binary messages are the singer's voice.
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.onopen = () => {
      this.backoff = 250;
      this.handlers.onOpen?.();
    };
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') {
        this.handlers.onBinary?.(event.data);
        return;
      }
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if ('v' in message) {
        const { v, ...sync } = message;
        if (v === 1) this.handlers.onSync?.(sync);
      } else if (message.type === 'room') {
        this.handlers.onRoom?.(message.room);
      } else if (message.type === 'control') {
        this.handlers.onControl?.(message.control);
      } else {
        this.handlers.onScore?.(message);
      }
    };
    socket.onclose = (event) => {
      this.socket = null;
      if (this.closed) return;
      this.handlers.onClose?.(event);
      setTimeout(() => this.closed || this.open(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, 5000);
    };
  }

  /** Sends a sync message (the `sync` crate's JSON shape, version added here). */
  sendSync(message) {
    if (this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ v: 1, ...message }));
    }
  }

  /** Sends a binary message (a frame of the singer's voice). */
  sendBinary(bytes) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(bytes);
  }

  close() {
    this.closed = true;
    this.socket?.close();
  }
}
