// A script as a model would write it: independent calls in parallel,
// intermediate data stays in the sandbox, only the answer comes back.
const cities = ["Oslo", "Lima", "Pune"];
const weather = await Promise.all(
  cities.map((city) => tools.weather.get({ city })),
);
console.log("fetched", weather.length, "forecasts");
const warm = weather.filter((w) => w.tempC > 20).map((w) => w.city);
const orders =
  (await Promise.all(warm.map((city) => tools.db.orders.list({ city }))))
    .flat();
const inUsd = await Promise.all(
  orders.map((o) =>
    tools.currency.convert({ amount: o.total, from: o.currency, to: "USD" })
  ),
);
return {
  warmCities: warm,
  orders: orders.length,
  totalUsd: inUsd.reduce((s, x) => s + x.amount, 0),
};
