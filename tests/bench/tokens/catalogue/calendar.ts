// The `calendar` namespace: calendars, events, free/busy and rooms, shaped like Google Calendar's API.
import { arr, type BenchTool, bool, enm, Fake, hashOf, type Input, int, obj, opt, PEOPLE, str } from "./_schema.ts";

const calendarId = str('Calendar ID: a person\'s e-mail (e.g. "ana@acme.dev") or "primary" for the bot\'s own.');
const dateTime = (what: string) => str(`${what}, RFC 3339 with offset, e.g. "2026-03-11T09:30:00+01:00".`);
const attendee = obj({
  email: str(),
  response_status: enm(["needsAction", "accepted", "declined", "tentative"]),
  optional: opt(bool()),
});
const event = obj({
  id: str(),
  summary: str("Title."),
  description: opt(str()),
  start: dateTime("Start"),
  end: dateTime("End"),
  location: opt(str()),
  organizer: str("E-mail."),
  attendees: arr(attendee),
  conference_url: opt(str("Video call link, when the event has one.")),
  status: enm(["confirmed", "tentative", "cancelled"]),
  html_link: str(),
});

const TITLES = [
  "1:1",
  "Design review",
  "Standup",
  "Customer call",
  "Interview",
  "Focus time",
  "Sprint review",
  "Lunch",
];
const ROOMS = [
  { id: "room-ber-3a", name: "Spree", building: "Berlin HQ", capacity: 4, equipment: ["screen"] },
  { id: "room-ber-3b", name: "Havel", building: "Berlin HQ", capacity: 8, equipment: ["screen", "video"] },
  {
    id: "room-ber-4a",
    name: "Tempelhof",
    building: "Berlin HQ",
    capacity: 16,
    equipment: ["screen", "video", "whiteboard"],
  },
  { id: "room-lis-1a", name: "Alfama", building: "Lisbon office", capacity: 6, equipment: ["screen", "video"] },
];

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** "2026-03-11", 570 → "2026-03-11T09:30:00+01:00" (Berlin, winter time). */
function at(date: string, minutes: number): string {
  return `${date}T${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}:00+01:00`;
}

function minutesOf(stamp: string): number {
  const [h, m] = stamp.slice(11, 16).split(":").map(Number);
  return h * 60 + m;
}

interface Event {
  id: string;
  summary: string;
  start: string;
  end: string;
  organizer: string;
  attendees: { email: string; response_status: string }[];
  status: string;
  html_link: string;
  location?: string;
}

function eventsOn(email: string, date: string): Event[] {
  const f = new Fake(parseInt(hashOf(email + date), 36));
  const events: Event[] = [];
  let cursor = 9 * 60 + f.int(0, 2) * 30;
  while (events.length < 4) {
    const length = f.pick([30, 30, 60, 90]);
    if (cursor + length > 17 * 60) break;
    const id = `evt_${hashOf(email + date + cursor)}`;
    events.push({
      id,
      summary: f.pick(TITLES),
      start: at(date, cursor),
      end: at(date, cursor + length),
      organizer: f.next() < 0.5 ? email : f.pick(PEOPLE).email,
      attendees: [{ email, response_status: "accepted" }],
      status: "confirmed",
      html_link: `https://calendar.acme.dev/event?eid=${id}`,
      ...(f.next() < 0.3 ? { location: f.pick(ROOMS).name } : {}),
    });
    cursor += length + f.pick([30, 60, 90, 120]);
  }
  return events;
}

function datesBetween(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let t = Date.parse(from.slice(0, 10)); t <= Date.parse(to.slice(0, 10)); t += 86_400_000) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}

function listEvents(input: Input): Event[] {
  const email = input.calendar === "primary" ? "bot@acme.dev" : input.calendar;
  if (!PEOPLE.some((p) => p.email === email) && email !== "bot@acme.dev") throw new Error(`notFound: ${email}`);
  const from = Date.parse(input.time_min);
  const to = Date.parse(input.time_max);
  return datesBetween(input.time_min, input.time_max).flatMap((d) => eventsOn(email, d))
    .filter((e) => Date.parse(e.end) > from && Date.parse(e.start) < to)
    .slice(0, input.max_results ?? 250);
}

function freeSlots(input: Input): { start: string; end: string }[] {
  const date = input.date;
  const from = input.from_minutes ?? 9 * 60;
  const to = input.to_minutes ?? 17 * 60;
  const busy = (input.attendees as string[]).flatMap((email) => eventsOn(email, date))
    .map((e) => [minutesOf(e.start), minutesOf(e.end)]);
  const slots: { start: string; end: string }[] = [];
  for (let t = from; t + input.duration_minutes <= to; t += 30) {
    const end = t + input.duration_minutes;
    if (busy.every(([s, e]) => end <= s || t >= e)) slots.push({ start: at(date, t), end: at(date, end) });
  }
  return slots;
}

function created(input: Input): Record<string, unknown> {
  const id = `evt_${hashOf(input.summary + input.start)}`;
  return {
    id,
    summary: input.summary,
    ...(input.description ? { description: input.description } : {}),
    start: input.start,
    end: input.end,
    ...(input.location ? { location: input.location } : {}),
    organizer: "bot@acme.dev",
    attendees: (input.attendees ?? []).map((email: string) => ({ email, response_status: "needsAction" })),
    ...(input.add_video_call ? { conference_url: `https://meet.acme.dev/${hashOf(id)}` } : {}),
    status: "confirmed",
    html_link: `https://calendar.acme.dev/event?eid=${id}`,
  };
}

/** The week an event is looked up in by ID: the fake calendars hold the events of every day, made on demand. */
const WEEK = ["2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12", "2026-03-13"];

function getEvent(input: Input): Event {
  const email = input.calendar === "primary" ? "bot@acme.dev" : input.calendar;
  const found = WEEK.flatMap((d) => eventsOn(email, d)).find((e) => e.id === input.event_id);
  if (!found) throw new Error(`notFound: event ${input.event_id}`);
  return found;
}

export const calendar: BenchTool[] = [
  {
    name: "calendar.list_calendars",
    description: "Lists the calendars the bot can read: its own and the team members' that are shared with it.",
    input: obj({}),
    output: arr(obj({ id: str(), summary: str(), time_zone: str(), primary: bool(), access_role: str() })),
    handler: () => [
      { id: "bot@acme.dev", summary: "Acme bot", time_zone: "Europe/Berlin", primary: true, access_role: "owner" },
      ...PEOPLE.map((p) => ({
        id: p.email,
        summary: p.name,
        time_zone: "Europe/Berlin",
        primary: false,
        access_role: "reader",
      })),
    ],
  },
  {
    name: "calendar.list_events",
    description: "Lists events of a calendar that overlap a time range, ordered by start time.",
    input: obj({
      calendar: calendarId,
      time_min: dateTime("Range start"),
      time_max: dateTime("Range end"),
      max_results: opt(int("1-2500. Default 250.", { minimum: 1, maximum: 2500 })),
    }),
    output: arr(event),
    handler: listEvents,
  },
  {
    name: "calendar.get_event",
    description: "Gets one event by ID.",
    input: obj({ calendar: calendarId, event_id: str() }),
    output: event,
    handler: getEvent,
  },
  {
    name: "calendar.create_event",
    description: "Creates an event on the bot's calendar and invites the attendees by e-mail.",
    input: obj({
      summary: str("Title."),
      start: dateTime("Start"),
      end: dateTime("End"),
      attendees: opt(arr(str(), "E-mails to invite.")),
      description: opt(str()),
      location: opt(str("A room name or an address.")),
      add_video_call: opt(bool("Attach a video call link. Default false.")),
    }),
    output: event,
    handler: created,
  },
  {
    name: "calendar.update_event",
    description: "Changes an event's time, title, attendees or location. Attendees are notified.",
    input: obj({
      calendar: calendarId,
      event_id: str(),
      summary: opt(str()),
      start: opt(dateTime("New start")),
      end: opt(dateTime("New end")),
      attendees: opt(arr(str(), "Replaces the attendee list.")),
      location: opt(str()),
    }),
    output: event,
    handler: (input) => {
      const { calendar: _c, event_id: _e, attendees, ...changes } = input;
      const before = getEvent(input);
      return {
        ...before,
        ...changes,
        ...(attendees
          ? { attendees: attendees.map((email: string) => ({ email, response_status: "needsAction" })) }
          : {}),
      };
    },
  },
  {
    name: "calendar.delete_event",
    description: "Cancels an event and notifies its attendees.",
    input: obj({ calendar: calendarId, event_id: str(), notify: opt(bool("Default true.")) }),
    output: obj({ ok: bool() }),
    handler: (input) => (getEvent(input), { ok: true }),
  },
  {
    name: "calendar.find_free_slots",
    description:
      "Finds times on one day when every attendee is free, within working hours by default (09:00-17:00 Europe/Berlin), at half-hour steps.",
    input: obj({
      attendees: arr(str(), "E-mails.", { minItems: 1 }),
      date: str('Day, "YYYY-MM-DD".'),
      duration_minutes: int("Length of the meeting.", { minimum: 15, maximum: 480 }),
      from_minutes: opt(int("Earliest start, minutes after midnight. Default 540 (09:00).")),
      to_minutes: opt(int("Latest end, minutes after midnight. Default 1020 (17:00).")),
    }),
    output: arr(obj({ start: str(), end: str() })),
    handler: freeSlots,
  },
  {
    name: "calendar.respond_to_event",
    description: "Accepts, declines or tentatively accepts an invitation on the bot's calendar.",
    input: obj({ event_id: str(), response: enm(["accepted", "declined", "tentative"]), comment: opt(str()) }),
    output: obj({ ok: bool(), response_status: str() }),
    handler: (input) => ({ ok: true, response_status: input.response }),
  },
  {
    name: "calendar.get_working_hours",
    description: "Gets a person's working hours and time zone.",
    input: obj({ email: str() }),
    output: obj({ email: str(), time_zone: str(), days: arr(str()), start: str('"HH:MM".'), end: str('"HH:MM".') }),
    handler: (input) => {
      const person = PEOPLE.find((p) => p.email === input.email);
      if (!person) throw new Error(`notFound: ${input.email}`);
      return {
        email: person.email,
        time_zone: "Europe/Berlin",
        days: ["Mon", "Tue", "Wed", "Thu", "Fri"],
        start: "09:00",
        end: "17:00",
      };
    },
  },
  {
    name: "calendar.list_rooms",
    description: "Lists bookable meeting rooms.",
    input: obj({ building: opt(str()), min_capacity: opt(int()) }),
    output: arr(obj({ id: str(), name: str(), building: str(), capacity: int(), equipment: arr(str()) })),
    handler: (input) =>
      ROOMS.filter((r) => !input.building || r.building === input.building)
        .filter((r) => r.capacity >= (input.min_capacity ?? 0)),
  },
];
