// The animated background of a song without a video: slow waves of deep blue and violet, dark
// enough that white lyrics with an outline read well over every part of it.
//
// The colour is computed at the corners of a coarse grid and interpolated across each cell:
// the waves are smooth, so a grid of 32x18 cells is indistinguishable from computing every
// pixel, and on a CPU rasteriser (lavapipe) it costs a fraction.

struct Uniforms {
    // Song time in seconds.
    time: f32,
    // Width over height.
    aspect: f32,
    _pad: vec2<f32>,
};

@group(0) @binding(0) var<uniform> u: Uniforms;

const COLUMNS: u32 = 32u;
const ROWS: u32 = 18u;

struct VertexOut {
    @builtin(position) position: vec4<f32>,
    @location(0) colour: vec3<f32>,
};

fn colour_at(uv: vec2<f32>) -> vec3<f32> {
    let t = u.time;
    let p = vec2<f32>(uv.x * u.aspect, uv.y);
    let wave = 0.5 + 0.5 * sin(p.x * 2.7 + t * 0.35 + 1.3 * sin(p.y * 2.1 - t * 0.23));
    let glow = 0.5 + 0.5 * sin(p.y * 3.1 - t * 0.17 + 0.8 * sin(p.x * 1.7 + t * 0.29));
    let deep = vec3<f32>(0.020, 0.015, 0.060);
    let blue = vec3<f32>(0.050, 0.090, 0.280);
    let violet = vec3<f32>(0.200, 0.050, 0.260);
    return mix(deep, mix(blue, violet, glow), wave * (1.0 - 0.45 * uv.y));
}

// Six vertices per cell, COLUMNS x ROWS cells.
@vertex
fn vs_main(@builtin(vertex_index) index: u32) -> VertexOut {
    var corners = array<vec2<u32>, 6>(
        vec2<u32>(0u, 0u), vec2<u32>(1u, 0u), vec2<u32>(0u, 1u),
        vec2<u32>(0u, 1u), vec2<u32>(1u, 0u), vec2<u32>(1u, 1u),
    );
    let cell = index / 6u;
    let corner = corners[index % 6u];
    let grid = vec2<u32>(cell % COLUMNS + corner.x, cell / COLUMNS + corner.y);
    let uv = vec2<f32>(f32(grid.x) / f32(COLUMNS), f32(grid.y) / f32(ROWS));
    var out: VertexOut;
    out.position = vec4<f32>(uv.x * 2.0 - 1.0, 1.0 - uv.y * 2.0, 0.0, 1.0);
    out.colour = colour_at(uv);
    return out;
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    return vec4<f32>(in.colour, 1.0);
}
