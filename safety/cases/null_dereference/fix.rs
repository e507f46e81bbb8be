// Fix: handle the missing case.
struct Node {
    id: u32,
    weight: u32,
}

fn find(nodes: &[Node], id: u32) -> Option<&Node> {
    nodes.iter().find(|n| n.id == id)
}

fn main() {
    let nodes = vec![Node { id: 1, weight: 10 }];
    match find(&nodes, 7) {
        Some(node) => println!("weight = {}", node.weight),
        None => println!("no node 7"),
    }
}
