// Offline map: every layer comes from /api/geo/<layer>; no tile server is contacted.
(function () {
  "use strict";
  const el = document.getElementById("map");
  const status = document.getElementById("map-status");
  const base = el.dataset.layers;
  const map = L.map(el, { preferCanvas: true, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Natural Earth · Who's On First · GeoNames");
  const styles = {
    admin1: { color: "#7a7a7a", weight: 1, fillColor: "#f2efe6", fillOpacity: 1 },
    buffer: { color: "#d9822b", weight: 0, fillColor: "#f4c38a", fillOpacity: 0.45 },
    boundary: { color: "#b00020", weight: 3 },
  };
  const overlays = {};
  function load(name) {
    return fetch(base + name).then(function (r) {
      if (!r.ok) { throw new Error(name + ": HTTP " + r.status); }
      return r.json();
    });
  }
  Promise.all(["admin1", "buffer", "boundary", "crossings"].map(load)).then(function (layers) {
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
        return L.circleMarker(latlng, { radius: 6, color: "#1a237e", fillColor: "#3f51b5", fillOpacity: 0.9 });
      },
      onEachFeature: function (f, layer) {
        const label = document.createElement("span");
        label.textContent = String(f.properties.name || "");
        layer.bindPopup(label);
      },
    }).addTo(map);
    L.control.layers(null, overlays, { collapsed: false }).addTo(map);
    map.fitBounds(line.getBounds(), { padding: [20, 20] });
    status.textContent = "Map layers loaded.";
    el.dataset.ready = "true";
  }).catch(function (err) {
    status.textContent = "Could not load the map layers: " + err.message;
  });
})();
