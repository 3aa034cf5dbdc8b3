// The `weather` namespace: observations, forecasts, alerts and air quality, shaped like OpenWeather-style APIs.
import { arr, type BenchTool, daysAgo, enm, Fake, hashOf, int, num, obj, opt, str, TODAY } from "./_schema.ts";

const city = str('City name, optionally with a country code, e.g. "Berlin" or "Paris,FR".');
const date = str('Day, "YYYY-MM-DD".');
const CONDITIONS = ["clear", "partly cloudy", "cloudy", "light rain", "rain", "showers", "fog", "snow"];
const CITIES: Record<string, { country: string; lat: number; lon: number; tz: string; base: number }> = {
  berlin: { country: "DE", lat: 52.52, lon: 13.405, tz: "Europe/Berlin", base: 6 },
  lisbon: { country: "PT", lat: 38.722, lon: -9.139, tz: "Europe/Lisbon", base: 15 },
  "sao paulo": { country: "BR", lat: -23.55, lon: -46.633, tz: "America/Sao_Paulo", base: 26 },
  london: { country: "GB", lat: 51.507, lon: -0.128, tz: "Europe/London", base: 9 },
  paris: { country: "FR", lat: 48.857, lon: 2.352, tz: "Europe/Paris", base: 10 },
  "new york": { country: "US", lat: 40.713, lon: -74.006, tz: "America/New_York", base: 5 },
  tokyo: { country: "JP", lat: 35.68, lon: 139.69, tz: "Asia/Tokyo", base: 11 },
};

function place(name: string): { name: string; country: string; lat: number; lon: number; tz: string; base: number } {
  const key = name.split(",")[0].trim().toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  const found = CITIES[key];
  if (!found) throw new Error(`city not found: ${name}`);
  return { name: key.replace(/\b\w/g, (c) => c.toUpperCase()), ...found };
}

function hour(name: string, day: string, h: number): Record<string, unknown> {
  const p = place(name);
  const f = new Fake(parseInt(hashOf(`${p.name}${day}${h}`), 36));
  const rainy = f.next() < 0.45;
  const probability = rainy ? f.int(50, 95) : f.int(0, 30);
  return {
    time: `${day}T${String(h).padStart(2, "0")}:00:00`,
    temp_c: Math.round((p.base + 4 * Math.sin(((h - 8) / 24) * 2 * Math.PI) + f.next() * 2) * 10) / 10,
    precipitation_probability: probability,
    precipitation_mm: rainy ? Math.round(f.next() * 30) / 10 : 0,
    condition: rainy ? f.pick(["light rain", "rain", "showers"]) : f.pick(["clear", "partly cloudy", "cloudy"]),
    wind_kph: f.int(4, 38),
  };
}

function day(name: string, d: string): Record<string, unknown> {
  const hours = Array.from({ length: 24 }, (_, h) => hour(name, d, h));
  const temps = hours.map((x) => Number(x.temp_c));
  return {
    date: d,
    min_c: Math.min(...temps),
    max_c: Math.max(...temps),
    precipitation_probability: Math.max(...hours.map((x) => Number(x.precipitation_probability))),
    precipitation_mm: Math.round(hours.reduce((s, x) => s + Number(x.precipitation_mm), 0) * 10) / 10,
    condition: hours[13].condition,
  };
}

function addDays(d: string, n: number): string {
  return new Date(Date.parse(d) + n * 86_400_000).toISOString().slice(0, 10);
}

const hourly = obj({
  time: str("Local time."),
  temp_c: num(),
  precipitation_probability: int("Percent."),
  precipitation_mm: num(),
  condition: enm(CONDITIONS),
  wind_kph: int(),
});
const daily = obj({
  date: str(),
  min_c: num(),
  max_c: num(),
  precipitation_probability: int("Percent, the day's highest."),
  precipitation_mm: num(),
  condition: enm(CONDITIONS),
});

export const weather: BenchTool[] = [
  {
    name: "weather.current",
    description: "Current conditions in a city.",
    input: obj({ city }),
    output: obj({
      city: str(),
      temp_c: num(),
      feels_like_c: num(),
      condition: enm(CONDITIONS),
      humidity: int("Percent."),
      wind_kph: int(),
      observed_at: str(),
    }),
    handler: (input) => {
      const now = hour(input.city, TODAY, 9);
      return {
        city: place(input.city).name,
        temp_c: now.temp_c,
        feels_like_c: Math.round((Number(now.temp_c) - Number(now.wind_kph) / 10) * 10) / 10,
        condition: now.condition,
        humidity: 55 + Number(now.precipitation_probability) / 3 | 0,
        wind_kph: now.wind_kph,
        observed_at: daysAgo(0, 8, 50),
      };
    },
  },
  {
    name: "weather.forecast_daily",
    description: "Daily forecast for up to 14 days, starting today.",
    input: obj({ city, days: opt(int("1-14. Default 7.", { minimum: 1, maximum: 14 })) }),
    output: arr(daily),
    handler: (input) => Array.from({ length: input.days ?? 7 }, (_, i) => day(input.city, addDays(TODAY, i))),
  },
  {
    name: "weather.forecast_hourly",
    description: "Hourly forecast for one day (local time), up to 7 days ahead.",
    input: obj({
      city,
      date,
      from_hour: opt(int("0-23. Default 0.", { minimum: 0, maximum: 23 })),
      to_hour: opt(int("0-23, inclusive. Default 23.", { minimum: 0, maximum: 23 })),
    }),
    output: arr(hourly),
    handler: (input) => {
      const from = input.from_hour ?? 0;
      return Array.from({ length: (input.to_hour ?? 23) - from + 1 }, (_, i) => hour(input.city, input.date, from + i));
    },
  },
  {
    name: "weather.alerts",
    description: "Active severe-weather alerts for a city.",
    input: obj({ city }),
    output: arr(
      obj({
        event: str(),
        severity: enm(["minor", "moderate", "severe", "extreme"]),
        starts: str(),
        ends: str(),
        description: str(),
      }),
    ),
    handler: (input) =>
      Number(day(input.city, TODAY).precipitation_mm) > 8
        ? [{
          event: "Heavy rain",
          severity: "moderate",
          starts: `${TODAY}T12:00:00`,
          ends: `${TODAY}T22:00:00`,
          description: "Up to 25 mm of rain.",
        }]
        : [],
  },
  {
    name: "weather.air_quality",
    description: "Current air quality index and pollutants.",
    input: obj({ city }),
    output: obj({
      aqi: int("1 (good) to 5 (very poor)."),
      pm2_5: num("µg/m³."),
      pm10: num("µg/m³."),
      o3: num("µg/m³."),
      category: str(),
    }),
    handler: (input) => {
      const f = new Fake(parseInt(hashOf(place(input.city).name), 36));
      const aqi = f.int(1, 4);
      return {
        aqi,
        pm2_5: f.int(30, 250) / 10,
        pm10: f.int(80, 400) / 10,
        o3: f.int(200, 900) / 10,
        category: ["good", "fair", "moderate", "poor"][aqi - 1],
      };
    },
  },
  {
    name: "weather.historical",
    description: "Observed weather of a past day.",
    input: obj({ city, date }),
    output: daily,
    handler: (input) => {
      if (input.date >= TODAY) throw new Error(`date must be in the past: ${input.date}`);
      return day(input.city, input.date);
    },
  },
  {
    name: "weather.geocode",
    description: "Finds places by name, with coordinates and time zone.",
    input: obj({ query: str(), limit: opt(int("1-10. Default 5.", { minimum: 1, maximum: 10 })) }),
    output: arr(obj({ name: str(), country: str(), lat: num(), lon: num(), timezone: str() })),
    handler: (input) =>
      Object.entries(CITIES).filter(([name]) => name.includes(String(input.query).toLowerCase()))
        .slice(0, input.limit ?? 5)
        .map(([name, c]) => ({ name, country: c.country, lat: c.lat, lon: c.lon, timezone: c.tz })),
  },
  {
    name: "weather.uv_index",
    description: "Forecast maximum UV index of a day.",
    input: obj({ city, date }),
    output: obj({ date: str(), uv_index_max: num(), risk: enm(["low", "moderate", "high", "very high"]) }),
    handler: (input) => {
      const uv = Math.round(
        (Math.abs(place(input.city).lat) < 30 ? 9 : 3) + (parseInt(hashOf(input.date), 36) % 20) / 10,
      );
      return {
        date: input.date,
        uv_index_max: uv,
        risk: uv < 3 ? "low" : uv < 6 ? "moderate" : uv < 8 ? "high" : "very high",
      };
    },
  },
  {
    name: "weather.marine",
    description: "Wave height and sea temperature off a coastal city, by hour.",
    input: obj({ city, date }),
    output: arr(obj({ time: str(), wave_height_m: num(), sea_temp_c: num() })),
    handler: (input) =>
      [6, 12, 18].map((h) => ({
        time: `${input.date}T${h}:00:00`,
        wave_height_m: (parseInt(hashOf(input.city + h), 36) % 30) / 10,
        sea_temp_c: place(input.city).base + 2,
      })),
  },
  {
    name: "weather.astronomy",
    description: "Sunrise, sunset and moon phase of a day.",
    input: obj({ city, date }),
    output: obj({ sunrise: str(), sunset: str(), day_length_minutes: int(), moon_phase: str() }),
    handler: (input) => {
      const lat = place(input.city).lat;
      const length = Math.round(720 + (lat / 90) * 60);
      return {
        sunrise: `${input.date}T06:${String(40 - Math.round(lat / 10)).padStart(2, "0")}:00`,
        sunset: `${input.date}T18:${String(Math.round(lat / 10) + 5).padStart(2, "0")}:00`,
        day_length_minutes: length,
        moon_phase: "waxing crescent",
      };
    },
  },
];
