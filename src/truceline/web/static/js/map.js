// The map: every base layer comes from /api/geo/<layer>; incidents from /api/map/incidents (clustered by the
// server at low zoom). No tile server is contacted unless the deployment configured one (data-tiles).
(function () {
  "use strict";
  const el = document.getElementById("map");
  const status = document.getElementById("map-status");
  const base = el.dataset.layers;
  const map = L.map(el, { preferCanvas: false, attributionControl: true, keyboard: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Natural Earth · Who's On First · GeoNames");
  // The side panel of filters (map.html) starts closed on a phone; the map follows the room the panel leaves.
  const panel = document.getElementById("map-panel");
  if (panel && window.matchMedia("(max-width: 600px)").matches) panel.open = false;
  if (window.ResizeObserver) new ResizeObserver(() => map.invalidateSize()).observe(el);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { attribution: el.dataset.tilesAttribution || "", maxZoom: 18 }).addTo(map);
  }
  const styles = {
    admin1: { color: "#7a7a7a", weight: 1, fillColor: "#f2efe6", fillOpacity: el.dataset.tiles ? 0.2 : 1 },
    buffer: { color: "#d9822b", weight: 0, fillColor: "#f4c38a", fillOpacity: 0.45 },
    boundary: { color: "#b00020", weight: 3 },
  };
  const STATUS_COLOURS = {
    violation_confirmed: "#c62828",
    under_verification: "#e69138",
    reported: "#0b5394",
    not_confirmed: "#2e7d32",
    inconclusive: "#2e7d32",
  };
  const overlays = {};
  const incidents = L.layerGroup();
  let counter = 0;

  function load(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(url + ": HTTP " + r.status); }
      return r.json();
    });
  }

  function text(tag, value) {
    const node = document.createElement(tag);
    node.textContent = value == null ? "" : String(value);
    return node;
  }

  function popupFor(p) {
    const box = document.createElement("div");
    const link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.title;
    box.appendChild(link);
    box.appendChild(text("div", [p.date, p.event_type].filter(Boolean).join(" · ")));
    box.appendChild(text("div", (p.alleged && p.alleged.length ? p.alleged.join("; ") : "no party named by the claims")));
    box.appendChild(text("div", "Status: " + String(p.status).replace(/_/g, " ") + (p.responsible ? " · responsible (finding): " + p.responsible : "") + " · killed: " + p.fatalities_words));
    box.appendChild(text("div", "Place: " + (p.place || "?") + " (precision " + p.precision + ", ±" + p.radius_km + " km)"));
    return box;
  }

  function draw(collection) {
    incidents.clearLayers();
    collection.features.forEach(function (f) {
      const p = f.properties;
      const latlng = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
      if (p.cluster) {
        const icon = L.divIcon({ className: "", html: "", iconSize: [34, 34] });
        const marker = L.marker(latlng, { icon: icon, keyboard: true, title: p.count + " incidents", alt: p.count + " incidents" });
        marker.on("add", function () {
          const node = marker.getElement();
          node.classList.add("cluster-icon");
          node.textContent = String(p.count);
          node.setAttribute("aria-label", p.count + " incidents here; zoom in to separate them");
        });
        marker.on("click", function () { map.setView(latlng, Math.min(map.getZoom() + 2, 12)); });
        incidents.addLayer(marker);
        return;
      }
      const colour = STATUS_COLOURS[p.status] || "#0b5394";
      // Precision drawn honestly: the circle is the area the place is known to be in.
      const area = L.circle(latlng, { radius: p.radius_km * 1000, color: colour, weight: 1, fillColor: colour, fillOpacity: 0.12 });
      area.bindPopup(popupFor(p));
      incidents.addLayer(area);
      const dot = L.circleMarker(latlng, { radius: p.precision === 1 ? 6 : 4, color: "#fff", weight: 1, fillColor: colour, fillOpacity: 1 });
      dot.bindPopup(popupFor(p));
      dot.bindTooltip(p.title);
      incidents.addLayer(dot);
    });
    const props = collection.properties || {};
    status.textContent = "Map layers loaded. " + props.incidents + " incident(s) shown" +
      (props.clustered ? " in groups" : "") + (props.unlocated ? "; " + props.unlocated + " without a known place are not drawn" : "") + ".";
    el.dataset.incidents_shown = String(props.incidents);
  }

  function refresh() {
    if (!el.dataset.incidents) { return Promise.resolve(); }
    const b = map.getBounds();
    const sep = el.dataset.incidents.indexOf("?") >= 0 ? "&" : "?";
    const bbox = [Math.max(b.getWest(), -180), Math.max(b.getSouth(), -90), Math.min(b.getEast(), 180), Math.min(b.getNorth(), 90)]
      .map(function (v) { return v.toFixed(4); }).join(",");
    const mine = ++counter;
    return load(el.dataset.incidents + sep + "zoom=" + map.getZoom() + "&bbox=" + bbox).then(function (data) {
      if (mine === counter) { draw(data); }
    });
  }

  Promise.all(["admin1", "buffer", "boundary", "crossings"].map(function (n) { return load(base + n); })).then(function (layers) {
    const [admin1, buffer, boundary, crossings] = layers;
    overlays["Provinces"] = L.geoJSON(admin1, {
      style: styles.admin1,
      onEachFeature: function (f, layer) { layer.bindTooltip(String(f.properties.name || "")); },
    }).addTo(map);
    overlays["Buffer zone"] = L.geoJSON(buffer, { style: styles.buffer }).addTo(map);
    const line = L.geoJSON(boundary, { style: styles.boundary }).addTo(map);
    overlays["Boundary line"] = line;
    overlays["Crossings"] = L.geoJSON(crossings, {
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 4, color: "#333", weight: 2, fillColor: "#fff", fillOpacity: 1 });
      },
      onEachFeature: function (f, layer) { layer.bindPopup(text("span", f.properties.name || "")); },
    }).addTo(map);
    if (el.dataset.incidents) { overlays["Incidents"] = incidents.addTo(map); }
    L.control.layers(null, overlays, { collapsed: false }).addTo(map);
    map.fitBounds(line.getBounds(), { padding: [20, 20] });
    return refresh();
  }).then(function () {
    if (!el.dataset.incidents) { status.textContent = "Map layers loaded."; }
    el.dataset.ready = "true";
    let timer = null;
    map.on("moveend", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { refresh().catch(function (err) { status.textContent = "Could not load incidents: " + err.message; }); }, 150);
    });
  }).catch(function (err) {
    status.textContent = "Could not load the map layers: " + err.message;
  });
})();
