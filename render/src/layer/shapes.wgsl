// Coloured rectangles with rounded corners, one instance each, in display pixels.

struct Screen {
    size: vec2<f32>,
    _pad: vec2<f32>,
};

@group(0) @binding(0) var<uniform> screen: Screen;

struct Instance {
    @location(0) rect: vec4<f32>,   // left, top, width, height
    @location(1) colour: vec4<f32>, // linear RGBA
    @location(2) radius: f32,
};

struct VertexOut {
    @builtin(position) position: vec4<f32>,
    @location(0) local: vec2<f32>,
    @location(1) half: vec2<f32>,
    @location(2) colour: vec4<f32>,
    @location(3) radius: f32,
};

@vertex
fn vs_main(@builtin(vertex_index) index: u32, instance: Instance) -> VertexOut {
    // Two triangles: corners 0 1 2, 2 1 3.
    var corners = array<vec2<f32>, 6>(
        vec2<f32>(0.0, 0.0), vec2<f32>(1.0, 0.0), vec2<f32>(0.0, 1.0),
        vec2<f32>(0.0, 1.0), vec2<f32>(1.0, 0.0), vec2<f32>(1.0, 1.0),
    );
    let corner = corners[index];
    let pixel = instance.rect.xy + corner * instance.rect.zw;
    var out: VertexOut;
    out.position = vec4<f32>(pixel.x / screen.size.x * 2.0 - 1.0, 1.0 - pixel.y / screen.size.y * 2.0, 0.0, 1.0);
    out.half = instance.rect.zw * 0.5;
    out.local = (corner - vec2<f32>(0.5, 0.5)) * instance.rect.zw;
    out.colour = instance.colour;
    out.radius = min(instance.radius, min(out.half.x, out.half.y));
    return out;
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    // Signed distance to the rounded rectangle; one pixel of antialiasing at the edge.
    let q = abs(in.local) - in.half + vec2<f32>(in.radius, in.radius);
    let distance = length(max(q, vec2<f32>(0.0, 0.0))) + min(max(q.x, q.y), 0.0) - in.radius;
    let coverage = clamp(0.5 - distance, 0.0, 1.0);
    return vec4<f32>(in.colour.rgb, in.colour.a * coverage);
}
